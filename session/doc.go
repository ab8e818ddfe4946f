// Package session is one device session: the plan a profile follows,
// timing through package measure, HELP's adaptation, conversion to
// milliseconds, prediction by a chosen method with an interval, and
// validation against baselines. The page's measuring worker (app/worker)
// and the CLI's profile and predict commands both run it, so a profile
// means the same wherever it was taken. It takes a space.Space and an
// engine builder and imports no concrete search space.
//
// # The plan
//
// Plan (recorded as the profile's protocol.plan) times networks in two
// measure.Measure calls, as many of them and as hard as a Request says
// (package plan holds every space's, engine's and mode's sizes and
// effort; Request.Effort):
//
//  1. PhaseLabelled: the reference, anchor and support networks,
//     interleaved in one measurement, so a machine that speeds up or
//     slows down does so for the embedding, the latency scale and the
//     support alike (no drift correction is needed within it). HELP then
//     adapts, and the other methods fit, on these labelled timings, so
//     they take the effort's labelled rounds (without an effort, at least
//     plan.LabelledRounds whatever the preset; the profile's
//     protocol.rounds records this phase's).
//  2. PhaseValidation: the held-out validation networks, interleaved with
//     two checks, the two middle reference networks by latency timed
//     again. The validation timings are divided by the geometric mean of
//     the checks' slow-down ratios (Validation.Drift) so they are compared
//     with predictions at the first phase's speed; if the two ratios
//     disagree by more than 25%, noise dominates and no correction is made.
//
// Every network is timed as the effort's instances (without an effort,
// Config.Instances, else plan.Instances) separately built copies in turn
// (protocol.instances): now and then one instance of a network runs
// slower than another for its whole life, and two make that rare. A
// space of large networks takes fewer (the OFA plan: one instance of each
// 25-52 MB network, 8 labelled rounds), and the profile records what was
// used.
//
// # Methods
//
// A Device predicts with one of these (Methods lists them):
//
//   - MethodHELP: HELP exactly as the paper has it: the meta-learned model
//     adapted with two Meta-SGD steps on the support timings, its
//     normalised output mapped to ms by the profile's latency.Scale.
//   - MethodOpCost: the op-cost structural model (package opcost) fitted
//     to the labelled timings on the space's Features.
//   - MethodFLOPs: a + b*FLOPs fitted to the labelled timings.
//   - MethodAuto (the default): package blend's Prefer over FLOPs, the
//     op-cost model and HELP, each calibrated as a + b*prediction, by
//     leave-one-out on the labelled timings only (HELP's leave-one-out
//     readapts without each support timing; the reference and anchor
//     networks are never in its support). FLOPs, the simplest, is kept
//     unless another candidate's leave-one-out loss is blend.DefaultMargin
//     lower: our engine's timings in the page follow FLOPs closely, and a
//     free choice among noisy leave-one-out scores lost to FLOPs there.
//     Its interval comes from the leave-one-out residuals.
//
// The nearest known device is a validation baseline only: the atlas holds
// its latencies for its pool architectures, not for the whole space.
//
// # Units
//
// Latencies are float64 milliseconds; intervals are half-widths in ms.
// Normalised latencies stay inside Device.
package session

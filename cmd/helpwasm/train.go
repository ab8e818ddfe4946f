package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/helpwasm/helpwasm/dataset"
	"github.com/helpwasm/helpwasm/internal/outfile"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/space/registry"
)

// trainFlags are train's settings after flag parsing.
type trainFlags struct {
	space, data, out, method, order string
	seed                            uint64
	episodes, tasks, support, query int
	validEvery, validSamples        int
	firstOrder                      bool
	workers                         int
	quiet                           bool
}

func parseTrainFlags(args []string, stderr io.Writer) (trainFlags, error) {
	var f trainFlags
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.space, "space", "nasbench201", "search space")
	fs.StringVar(&f.data, "data", "../shared/data", "directory holding <space>/latency.csv")
	fs.StringVar(&f.out, "out", "", "write the best-on-validation weights here (atomically)")
	fs.StringVar(&f.method, "method", "help", "help (hardware embedding + z + Meta-SGD), metasgd (no embedding, no z) or maml (no embedding, no z, fixed inner rate)")
	fs.StringVar(&f.order, "order", "", "the predictor input's encoding, as weights record it (NAS-Bench-201: the GCN's node type order; default: the space's default encoding)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the initial weights, task sampling and z noise")
	fs.IntVar(&f.episodes, "episodes", 2000, "meta-training episodes")
	fs.IntVar(&f.tasks, "tasks", 8, "tasks (meta-train devices) per episode")
	fs.IntVar(&f.support, "support", 10, "support samples per task")
	fs.IntVar(&f.query, "query", 200, "query samples per task")
	fs.IntVar(&f.validEvery, "valid-every", 50, "validate on the meta-validation devices every this many episodes")
	fs.IntVar(&f.validSamples, "valid-samples", 10, "support samples per validation device")
	fs.BoolVar(&f.firstOrder, "first-order", false, "first-order meta-gradient (drop second-order terms)")
	fs.IntVar(&f.workers, "workers", 0, "parallel tasks (0 = GOMAXPROCS); the result does not depend on it")
	fs.BoolVar(&f.quiet, "q", false, "no progress line")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case f.out == "":
		return f, errors.New("-out is required")
	case f.episodes < 1:
		return f, fmt.Errorf("-episodes %d: want at least 1", f.episodes)
	case f.tasks < 1 || f.support < 1 || f.query < 1 || f.validSamples < 1 || f.validEvery < 1:
		return f, errors.New("-tasks, -support, -query, -valid-samples and -valid-every must be positive")
	}
	if !slices.Contains(dataset.Methods, f.method) {
		return f, fmt.Errorf("-method %q: want help, metasgd or maml", f.method)
	}
	return f, nil
}

// setupOptions are the flags' sizes of HELP's training set-up.
func (f trainFlags) setupOptions() dataset.TrainOptions {
	return dataset.TrainOptions{Support: f.support, Query: f.query, ValidSamples: f.validSamples, Seed: f.seed}
}

// trainModel meta-trains a fresh model as f says; progress goes to
// progress (nil for none).
func trainModel(ctx context.Context, f trainFlags, progress io.Writer) (*predictor.Model, predictor.TrainResult, error) {
	entry, err := registry.Lookup(f.space)
	if err != nil {
		return nil, predictor.TrainResult{}, fmt.Errorf("-space: %w", err)
	}
	enc, err := entry.Space.Encoder(f.order)
	if err != nil {
		return nil, predictor.TrainResult{}, fmt.Errorf("-order: %w", err)
	}
	cfg, err := dataset.MethodConfig(entry.Config(), f.method)
	if err != nil {
		return nil, predictor.TrainResult{}, err
	}
	if cfg.InputLen() != enc.Len() {
		return nil, predictor.TrainResult{}, fmt.Errorf("encoding %q has %d values, the %s predictor takes %d", enc.Meta(), enc.Len(), f.space, cfg.InputLen())
	}
	d, err := dataset.Load(f.data, entry.Space, enc)
	if err != nil {
		return nil, predictor.TrainResult{}, err
	}
	setup, err := dataset.NewTrainSetup(d, f.setupOptions())
	if err != nil {
		return nil, predictor.TrainResult{}, err
	}
	m := predictor.New(cfg, f.seed)
	// The validation adaptation noise is fixed too: only the weights change
	// between validations.
	validOpts := predictor.AdaptOptions{Seed: f.seed}
	var last predictor.EpisodeStats
	opts := predictor.TrainOptions{
		Episodes: f.episodes, Tasks: f.tasks, Seed: f.seed, FirstOrder: f.firstOrder,
		ValidEvery: f.validEvery, Workers: f.workers,
		Validate: func(m *predictor.Model) (float64, error) { return predictor.MeanSpearman(m, setup.Valid, validOpts) },
	}
	if progress != nil {
		opts.Progress = func(st predictor.EpisodeStats) {
			if st.Validated {
				last = st
			}
			if st.Episode%10 != 0 && !st.Validated && st.Episode != f.episodes {
				return
			}
			eta := time.Duration(float64(st.Elapsed) / float64(st.Episode) * float64(f.episodes-st.Episode)).Round(time.Second)
			line := fmt.Sprintf("episode %d/%d  loss %.5f  mse %.5f  kl %.2f", st.Episode, f.episodes, st.Loss, st.QueryMSE, st.KL)
			if last.Episode > 0 {
				line += fmt.Sprintf("  valid %.4f@%d  best %.4f@%d", last.Valid, last.Episode, st.BestValid, st.BestEpisode)
			}
			line += fmt.Sprintf("  elapsed %s  eta %s", st.Elapsed.Round(time.Second), eta)
			if st.Validated {
				fmt.Fprintln(progress, line) // keep validation lines in logs
			} else {
				fmt.Fprintf(progress, "%s\r", line)
			}
		}
	}
	res, err := predictor.Train(ctx, m, setup.Sampler, opts)
	if err != nil {
		return m, res, err
	}
	m.Meta.Encoding = enc.Meta()
	m.Meta.Seed = f.seed
	m.Meta.Source = fmt.Sprintf("HELP %s latency tables, standard split: meta-train %s; meta-valid %s",
		f.space, strings.Join(d.Proto.Split.MetaTrain, ","), strings.Join(d.Proto.Split.MetaValid, ","))
	return m, res, nil
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	f, err := parseTrainFlags(args, stderr)
	if err != nil {
		return err
	}
	// Refuse a bad -out before minutes of training, not after.
	if err := outfile.Check(f.out); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var progress io.Writer
	if !f.quiet {
		progress = stderr
	}
	m, res, err := trainModel(ctx, f, progress)
	if err != nil && !(errors.Is(err, context.Canceled) && m != nil && res.Episodes > 0) {
		return err
	}
	interrupted := err != nil
	m.Meta.Command = recordedCommand(args, projectRoot())
	out := f.out
	if interrupted {
		// An interrupted run's best so far must not replace finished
		// weights at -out (perhaps the shipped ones): it goes beside them.
		out += ".partial"
	}
	if err := outfile.Write(out, m.Save); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "trained %d episodes in %s; kept episode %d (validation Spearman %.4f); wrote %s\n",
		res.Episodes, res.Elapsed.Round(time.Millisecond), res.BestEpisode, res.BestValid, out)
	if interrupted {
		return fmt.Errorf("interrupted after %d episodes: the best weights so far are in %s, and %s is unchanged", res.Episodes, out, f.out)
	}
	return nil
}

// trainPathFlags are train's flags that take a file or directory.
var trainPathFlags = map[string]bool{"data": true, "out": true}

// recordedCommand is the train command line as the weights record it. A
// path flag's relative value is kept as given; an absolute one is made
// relative to root (the project) if it lies inside it or beside it (as
// ../shared/data does), else reduced to its base name: weights are shared,
// and the training machine's directories are no part of them.
func recordedCommand(args []string, root string) string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || !trainPathFlags[name] {
			out = append(out, a)
			continue
		}
		if hasValue {
			out = append(out, a[:len(a)-len(value)]+shareablePath(value, root))
			continue
		}
		out = append(out, a)
		if i+1 < len(args) {
			i++
			out = append(out, shareablePath(args[i], root))
		}
	}
	return strings.Join(append([]string{"helpwasm", "train"}, out...), " ")
}

// shareablePath is p as recordedCommand records it.
func shareablePath(p, root string) string {
	if !filepath.IsAbs(p) {
		return p
	}
	if root != "" {
		rel, err := filepath.Rel(root, p)
		up := filepath.Join("..", "..")
		if err == nil && rel != up && !strings.HasPrefix(rel, up+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(p)
}

// projectRoot is the directory holding go.mod at or above the working
// directory, or "" if there is none.
func projectRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

package main

// Layout checks from a review of the page in every space at 1440x900,
// 1280x720 and 390x844 (docs/RESULTS.md, "visual branch"): what a phone
// user or a speaker at a projector would call broken, checked by script.
// One browser for all of it; the only profile is the OFA presenter's
// short one (?test-plan=short).

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/helpwasm/helpwasm/internal/chromium"
)

// minTap is the smallest height or width (CSS px) of a control a phone
// user taps: WCAG 2.2's minimum target size (2.5.8).
const minTap = 24

// smallControls lists the visible buttons, selects and inputs inside sel
// smaller than minTap in either direction.
func smallControls(t *testing.T, p *page, sel string) []string {
	t.Helper()
	return eval[[]string](t, p, 5*time.Second, fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).filter(e => e.offsetParent !== null).filter(e => { const r = e.getBoundingClientRect(); return r.height < %d || r.width < %d; }).map(e => e.tagName + (e.id ? "#" + e.id : "") + " " + Math.round(e.getBoundingClientRect().width) + "x" + Math.round(e.getBoundingClientRect().height))`,
		sel+" button, "+sel+" select, "+sel+" input", minTap, minTap))
}

// overflowing lists elements inside #page whose box runs past the
// window's right edge.
func overflowing(t *testing.T, p *page) []string {
	t.Helper()
	return eval[[]string](t, p, 5*time.Second, `Array.from(document.querySelectorAll("#page *")).filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > innerWidth + 0.5; }).slice(0, 8).map(e => e.tagName + (e.id ? "#" + e.id : "") + " right " + Math.round(e.getBoundingClientRect().right))`)
}

// mixedStageRows lists the OFA editor's rows of selects that hold more
// than one stage's controls (by their labels' "stage N"), with each row's
// labels: a phone user must see which depth goes with which blocks.
func mixedStageRows(t *testing.T, p *page) []string {
	t.Helper()
	return eval[[]string](t, p, 5*time.Second, `(() => {
		const rows = new Map();
		for (const l of document.querySelectorAll("#editor label.edge-select")) {
			const top = Math.round(l.getBoundingClientRect().top);
			if (!rows.has(top)) rows.set(top, []);
			rows.get(top).push(l.querySelector("span").textContent);
		}
		const out = [];
		for (const labels of rows.values()) {
			const stages = new Set(labels.map(s => (s.match(/stage \d/) || [s])[0]));
			if (stages.size > 1) out.push(labels.join(" | "));
		}
		return out; })()`)
}

// TestBrowserLayout loads each space's start view at 390x844 (nothing
// past the screen's edge, every control tappable, OFA's editor rows one
// stage each) and 1280x720 (no NAS-Bench-201 wording elsewhere), then
// presents OFA at 1280x720: the start slide while profiling, the verdict,
// adaptation, editor, explore and device slides each fit the screen.
func TestBrowserLayout(t *testing.T) {
	p := openDist(t)

	for _, space := range []string{"nasbench201", "fbnet", "ofa"} {
		p.do(t, 5*time.Second, chromedp.EmulateViewport(390, 844))
		p.do(t, 30*time.Second, chromedp.Navigate(p.url+"?space="+space))
		waitFor(t, p, space+" page", fmt.Sprintf(`document.querySelector("#space")?.value === %q && document.querySelector("#editor") && `, space)+profileReady)
		if w := eval[int](t, p, 5*time.Second, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s: page is %d px wide at 390", space, w)
		}
		if wide := overflowing(t, p); len(wide) > 0 {
			t.Errorf("%s at 390 px: elements run past the screen's edge: %v", space, wide)
		}
		if small := smallControls(t, p, "#page"); len(small) > 0 {
			t.Errorf("%s at 390 px: controls under %d px, too small to tap: %v", space, minTap, small)
		}
		if space == "ofa" {
			if mixed := mixedStageRows(t, p); len(mixed) > 0 {
				t.Errorf("ofa at 390 px: editor rows mix stages: %q", mixed)
			}
		}
		// NAS-Bench-201's networks are cells; the other spaces' are not.
		p.do(t, 5*time.Second, chromedp.EmulateViewport(1280, 720))
		if txt := eval[string](t, p, 5*time.Second, `document.querySelector("#page").innerText`); space != "nasbench201" && strings.Contains(strings.ToLower(txt), "the cell") {
			i := strings.Index(strings.ToLower(txt), "the cell")
			t.Errorf("%s: the page speaks of NAS-Bench-201's cell: %q", space, txt[max(0, i-60):min(len(txt), i+40)])
		}
		if mixed := mixedStageRows(t, p); space == "ofa" && len(mixed) > 0 {
			t.Errorf("ofa at 1280 px: editor rows mix stages: %q", mixed)
		}
	}

	// OFA presented at 1280x720: every slide fits the screen.
	p.do(t, 30*time.Second, chromedp.Navigate(p.url+"?space=ofa&present&autorun&test-hooks&test-plan=short"))
	waitFor(t, p, "OFA autorun", `document.querySelector("#page").dataset.state === "profiling"`)
	fitsScreen(t, p, "ofa-start")
	start := time.Now()
	waitWithin(t, p, profileDeadline, "OFA profile", `document.querySelector("#page").dataset.state === "done" && `+profileReady)
	t.Logf("OFA short profile in %.0f s (%s)", time.Since(start).Seconds(), loadAvg())
	click(t, p, "#explore-run")
	waitFor(t, p, "explore", `document.querySelector("#explore-time") && document.querySelector("#budget")`)
	eval[bool](t, p, 5*time.Second, `(() => { document.activeElement?.blur(); return true; })()`)
	for i := 3; ; i++ {
		name := eval[string](t, p, 5*time.Second, `document.querySelector("#page").className.replace(/.*slide-/, "")`)
		fitsScreen(t, p, "ofa-"+name)
		if name == "explore" {
			if small := smallControls(t, p, "#explore"); len(small) > 0 {
				t.Errorf("explore: controls under %d px, too small to tap: %v", minTap, small)
			}
			break
		}
		p.do(t, 5*time.Second, chromedp.KeyEvent(kb.PageDown))
		waitFor(t, p, "next slide", fmt.Sprintf(`document.querySelector("#slide-title").textContent.startsWith("%d /")`, i+1))
	}
	for range 4 {
		p.do(t, 5*time.Second, chromedp.KeyEvent(kb.PageUp))
	}
	waitFor(t, p, "device slide", `document.querySelector("#page").className.includes("slide-device")`)
	fitsScreen(t, p, "ofa-device")
	if ex := p.logged("exception"); len(ex) > 0 {
		t.Errorf("exceptions:\n%s", strings.Join(ex, "\n"))
	}
}

// TestBrowserLayoutGPU: with a GPU (SwiftShader) in a space its engine
// does not run, the device line names the spaces as visitors know them,
// not by their names in files ("nasbench201").
func TestBrowserLayoutGPU(t *testing.T) {
	p := openDist(t, chromium.WebGPU...)
	p.do(t, 30*time.Second, chromedp.Navigate(p.url+"?space=ofa"))
	waitFor(t, p, "OFA page with the device line", `document.querySelector("#space")?.value === "ofa" && document.querySelector("#no-gpu") && `+profileReady)
	line := text(t, p, "#no-gpu")
	t.Logf("device line: %q", line)
	if strings.Contains(line, "nasbench201") || !strings.Contains(line, "NAS-Bench-201") || !strings.Contains(line, "OFA MobileNetV3") {
		t.Errorf("the device line %q should name NAS-Bench-201 and OFA MobileNetV3 by their titles", line)
	}
}

// Package shareddata locates HELP's latency tables for tests. They live
// outside the repository (../shared/data beside the checkout, or wherever
// $HELPWASM_DATA points) and are never copied into it.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvVar overrides the default location of the data directory.
const EnvVar = "HELPWASM_DATA"

// Find returns the data directory, or "" if it is absent. The default is
// ../shared/data relative to the module root (the directory holding go.mod).
func Find() string {
	if d := os.Getenv(EnvVar); d != "" {
		if isDir(d) {
			return d
		}
		return ""
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared", "data")
			if isDir(d) {
				return d
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Dir returns the data directory, or skips t with a message that says where
// it looked and how to point at the data.
func Dir(t testing.TB) string {
	t.Helper()
	d := Find()
	if d == "" {
		t.Skipf("HELP latency data not found (looked in $%s and ../shared/data beside the module root); set %s to run this test", EnvVar, EnvVar)
	}
	return d
}

// Space returns the directory of one search space's tables, e.g.
// Space(t, "nasbench201"), skipping t as Dir does.
func Space(t testing.TB, space string) string {
	t.Helper()
	return filepath.Join(Dir(t), space)
}

func isDir(d string) bool {
	fi, err := os.Stat(d)
	return err == nil && fi.IsDir()
}

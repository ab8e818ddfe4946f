// Command vugujs writes vugu's DOM renderer helper script to a file.
//
// vugu's domrender evaluates that script with window.eval, which the page's
// Content-Security-Policy forbids; the page loads it as a plain script file
// instead (see assets/boot.js). The script is the jsHelperScript constant of
// the vugu module in use, so the file always matches the renderer's version.
//
//	go run ./wasm/vugujs -out dist/vugu-render.js
package main

import (
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	out := flag.String("out", "vugu-render.js", "file to write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "vugujs:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/vugu/vugu").Output()
	if err != nil {
		return fmt.Errorf("locating the vugu module: %w", err)
	}
	src := filepath.Join(strings.TrimSpace(string(dir)), "domrender", "renderer-js-script.go")
	script, err := helperScript(src)
	if err != nil {
		return err
	}
	return os.WriteFile(out, []byte(script+"\n"), 0o644)
}

// helperScript returns the value of the string constant jsHelperScript
// declared in the Go file src.
func helperScript(src string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), src, nil, 0)
	if err != nil {
		return "", err
	}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if name.Name != "jsHelperScript" || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return "", fmt.Errorf("%s: jsHelperScript is not a string literal", src)
				}
				return strconv.Unquote(lit.Value)
			}
		}
	}
	return "", errors.New(src + ": no constant jsHelperScript")
}

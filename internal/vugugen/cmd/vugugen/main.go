// Command vugugen regenerates the vugu components in the directories it is
// given (default "."), with the generated-code line first; see package
// internal/vugugen. It is what `go generate ./app/...` runs.
package main

import (
	"fmt"
	"os"

	"github.com/helpwasm/helpwasm/internal/vugugen"
)

func main() {
	dirs := os.Args[1:]
	if len(dirs) == 0 {
		dirs = []string{"."}
	}
	for _, d := range dirs {
		if err := vugugen.Run(d); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

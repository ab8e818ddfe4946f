// Package outfile writes the CLI's output files (weights, profiles) so that
// nothing is lost or half-written: the path is checked before the work
// that produces it starts, and the file is written beside its place,
// synced and renamed over it, so a reader sees the old file or the new one.
package outfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrPath is wrapped by every error about a path that must not be written.
var ErrPath = errors.New("not a path to write to")

// Check reports whether path can take an output file: its directory exists
// and path is absent or a regular file. A symlink, a directory or a device
// is refused rather than replaced (renaming over a symlink replaces the
// link, not its target; as root, over a device node replaces the device).
func Check(path string) error {
	dir := filepath.Dir(path)
	di, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w: directory %s: %v", path, ErrPath, dir, err)
	case !di.IsDir():
		return fmt.Errorf("%s: %w: %s is not a directory", path, ErrPath, dir)
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%s: %w: %v", path, ErrPath, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s: %w: it is a symbolic link (give its target instead)", path, ErrPath)
	case fi.IsDir():
		return fmt.Errorf("%s: %w: it is a directory", path, ErrPath)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s: %w: it is not a regular file (%v)", path, ErrPath, fi.Mode().Type())
	}
	return nil
}

// Write writes path through write: into a temporary file in the same
// directory, mode 0644, synced, then renamed over path. On any error path
// is left as it was and the temporary file is removed; errors name path.
func Write(path string, write func(io.Writer) error) (err error) {
	if err := Check(path); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

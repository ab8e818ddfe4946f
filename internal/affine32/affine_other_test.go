//go:build !amd64

package affine32

func withPortable(f func()) { f() }

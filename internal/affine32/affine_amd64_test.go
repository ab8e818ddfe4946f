package affine32

// withPortable runs f with the assembly kernel switched off.
func withPortable(f func()) {
	saved := useFMA
	useFMA = false
	defer func() { useFMA = saved }()
	f()
}

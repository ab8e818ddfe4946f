package ui

// Root is the page's top component.
type Root struct {
	Message string
	Clicks  int
}

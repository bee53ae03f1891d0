package common

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding of the console in one struct; screens pick
// the ones they use for their help.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding

	Select key.Binding // enter
	Back   key.Binding // esc
	Quit   key.Binding
	Help   key.Binding

	Filter       key.Binding // start typing a text filter
	StatusFilter key.Binding // cycle the status filter
	ReasonFilter key.Binding // cycle the reason filter
	Sort         key.Binding
	Confirm      key.Binding // y
	Deny         key.Binding // n
	Cancel       key.Binding // cancel a running sync
	Runs         key.Binding // open runs & failures
	Refresh      key.Binding
	Request      key.Binding // request the one-time contact sync
	BuildPlan    key.Binding
	StartSync    key.Binding
	Retry        key.Binding
	Resume       key.Binding
	Export       key.Binding
	Copy         key.Binding // copy an id to the clipboard
	Doctor       key.Binding // run the read-only pre-flight checks
	Undo         key.Binding // archive what a run created
	SortDir      key.Binding // reverse the sort
	Mouse        key.Binding // toggle mouse capture (wheel vs text selection)
}

//go:build !linux

package tail

// notifySeesAll is false where the watcher may not report writes to the
// files of a watched directory (kqueue, ReadDirectoryChangesW buffers):
// polling stays at Options.Poll.
func notifySeesAll(dir string) bool { return false }

//go:build unix

package tail

import (
	"os/exec"
	"syscall"
)

// openFlags keeps opening a FIFO from blocking until a writer appears; the
// follower then refuses it for not being a regular file.
const openFlags = syscall.O_NONBLOCK

// ownProcessGroup makes cmd the leader of a new process group, so stopping
// it also stops what it started (ssh's children, a shell pipeline).
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
}

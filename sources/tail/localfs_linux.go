package tail

import "syscall"

// notifySeesAll reports whether inotify on dir sees every change to the
// files in it: not on network and FUSE filesystems, where another host (or
// a userspace server) changes files without the kernel here knowing.
func notifySeesAll(dir string) bool {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return false
	}
	switch uint32(st.Type) {
	case 0x6969, // NFS
		0x517b,     // SMB
		0xff534d42, // CIFS
		0xfe534d42, // SMB2
		0x65735546, // FUSE (sshfs, s3fs, …)
		0x01021997, // 9p (VMs, WSL)
		0x00c36400, // Ceph
		0x5346414f, // AFS
		0x73757245, // Coda
		0x0bd00bd0, // Lustre
		0x7461636f, // OCFS2
		0x01161970, // GFS2
		0x47504653: // GPFS
		return false
	}
	return true
}

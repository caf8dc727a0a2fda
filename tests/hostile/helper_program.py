# A native helper the hostile scenes install under the name `latex` (or run directly). It is a new
# process, so no audit hook watches it: whatever it manages is what the operating system allows.
# Its first argument is a results file; the rest are "action=value" pairs. The test fills in the
# interpreter line.
import ctypes
import os
import subprocess
import sys

results = open(sys.argv[1], "a")
results.write("helper ran as uid %d\n" % os.getuid())
for item in sys.argv[2:]:
    action, _, value = item.partition("=")
    try:
        if action == "shocker":
            libc = ctypes.CDLL(None, use_errno=True)

            class Handle(ctypes.Structure):
                _fields_ = [("size", ctypes.c_uint), ("kind", ctypes.c_int), ("data", ctypes.c_ubyte * 8)]

            # ext4's root directory: inode 2, generation 0, FILEID_INO32_GEN.
            handle = Handle(8, 1, (ctypes.c_ubyte * 8)(2, 0, 0, 0, 0, 0, 0, 0))
            root = libc.open_by_handle_at(os.open(".", os.O_RDONLY), ctypes.byref(handle), os.O_RDONLY)
            if root < 0:
                results.write("shocker refused: errno %d\n" % ctypes.get_errno())
            else:
                fd = os.open(value.lstrip("/"), os.O_RDONLY, dir_fd=root)
                results.write("shocker read: %r\n" % os.read(fd, 300))
        elif action == "read":
            with open(value, "rb") as handle:
                results.write("read %s: %r\n" % (value, handle.read(300)))
        elif action == "linger":
            # Outlive the check: a new session that keeps running with a marker in its command line.
            subprocess.Popen(["/bin/sh", "-c", "sleep 120; : " + value], start_new_session=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             close_fds=True)
            results.write("lingering %s\n" % value)
    except Exception as exc:  # report and go on with the next action
        results.write("%s failed: %r\n" % (action, exc))
results.close()
sys.exit(1)

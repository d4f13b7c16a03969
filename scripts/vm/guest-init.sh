#!/vm/busybox sh
# PID 1 of the probekit test guest (copied into each initramfs by initramfs.mjs).
# Mounts the host's /usr and the project read-only over 9p, runs the compiled
# live tests with node --test, and prints @@PROBEKIT-VM markers on the serial
# console for the host: BEGIN, TESTS-START, EXIT <code>, END (or SETUP-FAILED).
B=/vm/busybox

mark() { echo "@@PROBEKIT-VM $* uptime=$($B cut -d' ' -f1 /proc/uptime)"; }
fail() {
  mark "SETUP-FAILED $*"
  $B sync
  $B reboot -f
}

$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev || fail "mount devtmpfs"
. /vm/lane.env
mark BEGIN "$LANE_KERNEL" "$($B uname -r)"

for m in $($B cat /vm/modules.load); do
  $B insmod "/vm/modules/$m" || fail "insmod $m"
done

NINEP=trans=virtio,version=9p2000.L,msize=512000
$B mount -t 9p -o "$NINEP,cache=loose,ro" usr /usr || fail "mount 9p usr on /usr"
$B mount -t tmpfs -o mode=1777 tmpfs /tmp
$B mount -t tmpfs tmpfs /run
$B mkdir -p /dev/shm /dev/pts
$B mount -t tmpfs -o mode=1777 tmpfs /dev/shm
$B mount -t devpts devpts /dev/pts
$B mount -t tracefs tracefs /sys/kernel/tracing || fail "mount tracefs"
$B mount -t debugfs debugfs /sys/kernel/debug || mark "WARN no debugfs"
$B mount -t bpf bpf /sys/fs/bpf 2>/dev/null
$B mkdir -p "$LANE_PROJECT"
$B mount -t 9p -o "$NINEP,cache=loose,ro" project "$LANE_PROJECT" || fail "mount 9p project"
$B mount -t 9p -o "$NINEP" results /results || fail "mount 9p results"
$B hostname probekit-vm
$B ifconfig lo 127.0.0.1 up

export HOME=/root USER=root LOGNAME=root SHELL=/bin/sh TERM=dumb LANG=C.UTF-8 TMPDIR=/tmp
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export NO_COLOR=1 NODE_DISABLE_COLORS=1
export PROBEKIT_VM_KERNEL="$LANE_KERNEL" PROBEKIT_VM_CONFIG="/boot/config-$($B uname -r)"
cd "$LANE_PROJECT" || fail "cd $LANE_PROJECT"

mark TESTS-START
# shellcheck disable=SC2046  # the file list is word-split on purpose
node --test --test-reporter=tap --test-reporter-destination=/results/results.tap \
  --test-reporter=spec --test-reporter-destination=stdout $($B cat /vm/files) </dev/null
rc=$?
$B sync
$B umount /results
mark EXIT "$rc"
mark END
$B reboot -f

#!/bin/bash
# Patch orchestrator preflight for Linux.
#
# Shipped in the orchestrator's SSM Command document (step PreflightLinux), which sets the
# variables below from its parameters before this script; the defaults make it runnable by hand.
#   OPERATION     Check  : measure free space on /, clean package caches and the journal when below
#                          MIN_FREE_GB, detect a pending reboot
#                 Extend : grow the root partition and filesystem after its EBS volume was grown
#   MIN_FREE_GB   free GiB the root filesystem needs
#   CLEANUP       true | false
# The last line is `PREFLIGHT_RESULT {json}`, parsed by the orchestrator (core/orchestrator/disk.ts).
set -u
OPERATION="${OPERATION:-Check}"
MIN_FREE_GB="${MIN_FREE_GB:-5}"
CLEANUP="${CLEANUP:-true}"

gib() { df -P -B1 / | awk -v col="$1" 'NR == 2 { printf "%.2f", $col / 1073741824 }'; }
less_than() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
have() { command -v "$1" > /dev/null 2>&1; }

before="$(gib 4)"
cleanup_ran=false
echo "Preflight ${OPERATION} on $(hostname): ${before} GiB free on / (required: ${MIN_FREE_GB} GiB)"

if [ "$OPERATION" = "Extend" ]; then
    source_dev="$(findmnt -n -o SOURCE /)"
    fstype="$(findmnt -n -o FSTYPE /)"
    disk="$(lsblk -no PKNAME "$source_dev" 2> /dev/null | head -n 1)"
    partition="$(cat "/sys/class/block/$(basename "$source_dev")/partition" 2> /dev/null || true)"
    if [ -n "$disk" ] && [ -n "$partition" ]; then
        if have growpart; then
            growpart "/dev/${disk}" "$partition" || echo "growpart: nothing to grow on /dev/${disk} partition ${partition}"
        else
            echo "growpart is not installed (package cloud-utils-growpart / cloud-guest-utils)"
        fi
    fi
    case "$fstype" in
        xfs) xfs_growfs -d / ;;
        ext2 | ext3 | ext4) resize2fs "$source_dev" ;;
        *) echo "cannot grow a ${fstype} root filesystem" ;;
    esac
elif [ "$CLEANUP" = "true" ] && less_than "$before" "$MIN_FREE_GB"; then
    cleanup_ran=true
    echo "Below threshold: cleaning package caches and the journal"
    if have dnf; then dnf clean all > /dev/null; elif have yum; then yum clean all > /dev/null; fi
    if have apt-get; then apt-get clean; fi
    if have zypper; then zypper --non-interactive clean --all > /dev/null; fi
    if have journalctl; then journalctl --vacuum-size=200M 2>&1 | tail -n 1; fi
fi

reboot_pending=false
if [ -f /var/run/reboot-required ]; then
    reboot_pending=true
elif have needs-restarting && ! needs-restarting -r > /dev/null 2>&1; then
    reboot_pending=true
fi

printf 'PREFLIGHT_RESULT {"platform":"Linux","operation":"%s","freeGbBefore":%s,"freeGb":%s,"sizeGb":%s,"cleanupRan":%s,"servicesNotRunning":[],"endpointsUnreachable":[],"rebootPending":%s}\n' \
    "$OPERATION" "$before" "$(gib 4)" "$(gib 2)" "$cleanup_ran" "$reboot_pending"

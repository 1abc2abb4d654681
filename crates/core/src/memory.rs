//! A global allocator that overwrites every block with zeros before it is freed.
//!
//! [`crate::Secret`] zeroizes its own value, but a token or a password also passes through
//! buffers this code does not own: HTTP request and response bodies, JSON being parsed, the
//! D-Bus messages of the keyring, the agent's replies. Freed, those blocks keep their bytes
//! until reused, where a core dump, a swap file or a read of the process's memory finds
//! them. The app and the command line (and so the agent) use this allocator, so freed
//! memory holds zeros. It costs one pass over each block as it is freed.
//!
//! [`keep_private`] closes the other ways in: a core dump, and another process of the same
//! user reading this one's memory.

use std::alloc::{GlobalAlloc, Layout, System};

/// The system allocator, zeroing blocks as they are freed or moved.
#[derive(Debug, Default, Clone, Copy)]
pub struct ZeroingAllocator;

// SAFETY: every call goes to `System` with the caller's own layout; the only addition is
// writing zeros into a block that the caller owns and is giving back.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for ZeroingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` points to a live block of `layout.size()` bytes owned by the caller.
        unsafe {
            zero(ptr, layout.size());
            System.dealloc(ptr, layout);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Moved by hand, so the old block is zeroed before it is freed: the system's
        // realloc may free it, or shrink it in place and keep the tail.
        // SAFETY: `new_size` is non-zero and does not overflow when rounded to the
        // alignment (the caller's contract for `realloc`); the old block is live.
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new = System.alloc(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

/// Keeps this process's memory to itself, as ssh-agent and KeePassXC do; every Tokenvault
/// process calls it first.
///
/// - Linux: not dumpable (`PR_SET_DUMPABLE` 0): no core dump is written, and no other
///   process of the same user can ptrace it or open its `/proc/PID/mem`, `environ` or
///   `maps`; only a process holding `CAP_SYS_PTRACE` (root's debugger) still can. The
///   programs it starts (`tokenvault exec`) are dumpable again, as `execve` makes them.
/// - macOS: no core dump (`RLIMIT_CORE` 0); debuggers are kept out by the signed app's
///   hardened runtime, not by this call.
/// - Windows: nothing yet; the process's access list is the platform's default.
pub fn keep_private() -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)?;
    #[cfg(target_os = "macos")]
    rustix::process::setrlimit(
        rustix::process::Resource::Core,
        rustix::process::Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    )?;
    Ok(())
}

/// Writes zeros with volatile stores, which the compiler may not remove even though the
/// block is freed right after.
#[allow(unsafe_code)]
unsafe fn zero(ptr: *mut u8, len: usize) {
    // SAFETY: the caller gives a writable block of `len` bytes.
    unsafe {
        let mut at = 0;
        while at < len && !(ptr.add(at) as usize).is_multiple_of(8) {
            std::ptr::write_volatile(ptr.add(at), 0);
            at += 1;
        }
        while at + 8 <= len {
            std::ptr::write_volatile(ptr.add(at).cast::<u64>(), 0);
            at += 8;
        }
        while at < len {
            std::ptr::write_volatile(ptr.add(at), 0);
            at += 1;
        }
    }
    std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_private_process_is_not_dumpable() {
        // The test binary is a process of its own: what this does to it ends with it.
        keep_private().unwrap();
        assert_eq!(
            rustix::process::dumpable_behavior().unwrap(),
            rustix::process::DumpableBehavior::NotDumpable
        );
    }

    #[test]
    #[allow(unsafe_code)]
    fn zeroing_clears_every_byte_and_a_moved_block_keeps_its_bytes() {
        let allocator = ZeroingAllocator;
        let layout = Layout::from_size_align(37, 1).unwrap();
        // SAFETY: a 37-byte block is allocated, written, moved and freed by this test only.
        unsafe {
            let block = allocator.alloc(layout);
            std::ptr::write_bytes(block, 0xAB, 37);
            zero(block, 37);
            assert!((0..37).all(|i| *block.add(i) == 0));
            std::ptr::write_bytes(block, 0xCD, 37);
            let moved = allocator.realloc(block, layout, 100);
            assert!((0..37).all(|i| *moved.add(i) == 0xCD));
            allocator.dealloc(moved, Layout::from_size_align(100, 1).unwrap());
        }
    }
}

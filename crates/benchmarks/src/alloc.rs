//! A counting global allocator: current and peak live heap bytes of the measured threads.
//!
//! Threads that call [`untracked_thread`] (the in-process server's) are not counted, so the
//! server's fixtures and buffers never show up in a client's peak. Counting costs two relaxed
//! atomic operations per allocation, paid alike by every benchmark and its floor. A section
//! that reports no memory turns counting off while it runs ([`Paused`]): regeneration's
//! threads would otherwise contend for the two counters, a cost its peer does not pay.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};

pub struct Counting;

static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);
static PAUSED: AtomicBool = AtomicBool::new(false);

thread_local! {
    // `const` and without a destructor: reading it never allocates.
    static UNTRACKED: Cell<bool> = const { Cell::new(false) };
}

fn tracked() -> bool {
    // `try_with`: during thread teardown the slot may be gone; count nothing then.
    !PAUSED.load(Relaxed) && UNTRACKED.try_with(|u| !u.get()).unwrap_or(false)
}

fn grow(bytes: usize) {
    let now = CURRENT.fetch_add(bytes as isize, Relaxed) + bytes as isize;
    PEAK.fetch_max(now, Relaxed);
}

fn shrink(bytes: usize) {
    CURRENT.fetch_sub(bytes as isize, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() && tracked() {
            grow(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() && tracked() {
            grow(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        if tracked() {
            shrink(layout.size());
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() && tracked() {
            if new_size >= layout.size() {
                grow(new_size - layout.size());
            } else {
                shrink(layout.size() - new_size);
            }
        }
        new
    }
}

/// Stops counting this thread's allocations, for good.
pub fn untracked_thread() {
    UNTRACKED.with(|u| u.set(true));
}

/// No thread's allocations are counted while this lives. What is allocated meanwhile and
/// freed later is subtracted without having been added, which moves [`current`] a little;
/// peaks are measured from a baseline taken with [`reset_peak`], so they are unaffected.
pub struct Paused(());

impl Paused {
    pub fn new() -> Paused {
        PAUSED.store(true, Relaxed);
        Paused(())
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        PAUSED.store(false, Relaxed);
    }
}

/// Live bytes allocated by counted threads (frees on other threads may skew it a little).
pub fn current() -> isize {
    CURRENT.load(Relaxed)
}

/// Starts a new peak measurement; returns the baseline (live bytes now).
pub fn reset_peak() -> isize {
    let now = current();
    PEAK.store(now, Relaxed);
    now
}

/// Highest live byte count since [`reset_peak`], minus `baseline`.
pub fn peak_since(baseline: isize) -> usize {
    (PEAK.load(Relaxed) - baseline).max(0) as usize
}

//! Running regen's tasks on one thread per core, the largest ready task first.
//!
//! A row's spec is read and prepared before its client, mocks and command-line client can be
//! generated, and the clients take several times longer than the rest. A thread per crate
//! shares the cores fairly, so the largest client (the critical path) got a fraction of a core
//! while small crates ran; here it starts as soon as its spec is ready, on a core of its own,
//! and the small crates fill the other cores around it.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Condvar, Mutex};

/// What a task does: its result, and the tasks it makes ready.
pub type Work<'a, T> = Box<dyn FnOnce() -> (T, Vec<Task<'a, T>>) + Send + 'a>;

/// One unit of work.
pub struct Task<'a, T> {
    /// Where its result goes: results are returned sorted by slot, so their order does not
    /// depend on timing.
    pub slot: (usize, usize),
    /// Ready tasks run highest first.
    pub priority: u64,
    pub work: Work<'a, T>,
}

struct State<'a, T> {
    ready: Vec<Task<'a, T>>,
    running: usize,
    results: Vec<((usize, usize), T)>,
    panic: Option<Box<dyn Any + Send>>,
}

/// Runs `tasks` and every task they make ready on up to `threads` threads; the results sorted
/// by slot. A panic in a task stops the rest and goes on in the caller.
pub fn run<'a, T: Send>(tasks: Vec<Task<'a, T>>, threads: usize) -> Vec<((usize, usize), T)> {
    let state = Mutex::new(State {
        ready: tasks,
        running: 0,
        results: Vec::new(),
        panic: None,
    });
    let wake = Condvar::new();
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| worker(&state, &wake));
        }
    });
    let state = state.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(payload) = state.panic {
        panic::resume_unwind(payload);
    }
    let mut results = state.results;
    results.sort_by_key(|(slot, _)| *slot);
    results
}

fn worker<'a, T>(state: &Mutex<State<'a, T>>, wake: &Condvar) {
    let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let task = {
            let mut state = lock();
            loop {
                let best = (0..state.ready.len()).max_by_key(|&i| state.ready[i].priority);
                if let Some(best) = best {
                    state.running += 1;
                    break state.ready.swap_remove(best);
                }
                if state.running == 0 {
                    return;
                }
                state = wake.wait(state).unwrap_or_else(|e| e.into_inner());
            }
        };
        let slot = task.slot;
        let outcome = panic::catch_unwind(AssertUnwindSafe(task.work));
        let mut state = lock();
        state.running -= 1;
        match outcome {
            Ok((result, more)) => {
                state.results.push((slot, result));
                state.ready.extend(more);
            }
            Err(payload) => {
                state.panic.get_or_insert(payload);
                state.ready.clear();
            }
        }
        wake.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task<'a>(slot: usize, priority: u64, then: Vec<Task<'a, usize>>) -> Task<'a, usize> {
        Task {
            slot: (slot, 0),
            priority,
            work: Box::new(move || (slot, then)),
        }
    }

    #[test]
    fn runs_every_task_and_what_it_makes_ready_in_slot_order() {
        for threads in [1, 2, 8] {
            let tasks = vec![
                task(2, 1, vec![task(5, 9, vec![]), task(4, 0, vec![])]),
                task(0, 3, vec![task(3, 1, vec![task(1, 1, vec![])])]),
            ];
            let results: Vec<usize> = run(tasks, threads).into_iter().map(|(_, r)| r).collect();
            assert_eq!(results, [0, 1, 2, 3, 4, 5], "{threads} threads");
        }
    }

    #[test]
    fn one_thread_takes_the_highest_priority_first() {
        let order = Mutex::new(Vec::new());
        let log = |slot: usize, priority: u64| Task {
            slot: (slot, 0),
            priority,
            work: Box::new({
                let order = &order;
                move || {
                    order.lock().unwrap().push(slot);
                    (slot, vec![])
                }
            }),
        };
        run(vec![log(0, 1), log(1, 3), log(2, 2)], 1);
        assert_eq!(order.into_inner().unwrap(), [1, 2, 0]);
    }

    #[test]
    fn a_panic_goes_on_in_the_caller() {
        let tasks = vec![
            task(0, 0, vec![]),
            Task {
                slot: (1, 0),
                priority: 1,
                work: Box::new(|| panic!("boom")),
            },
        ];
        let caught = panic::catch_unwind(AssertUnwindSafe(|| run(tasks, 2)));
        let payload = caught.expect_err("the panic comes back");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    }
}

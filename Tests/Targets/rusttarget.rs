// rusttarget: a Rust program whose function addresses tests know.
// Prints "ready <pid> work=<hex> method=<hex>" and sleeps (at most ten
// minutes); built with v0 mangling by the symbolizer tests.
use std::hint::black_box;

pub struct Parker<T> {
    items: Vec<T>,
}

impl<T: Copy> Parker<T> {
    #[inline(never)]
    pub fn first(&self) -> Option<T> {
        self.items.first().copied()
    }
}

#[inline(never)]
fn work(x: u64) -> u64 {
    black_box(x * 3 + 1)
}

fn main() {
    let p = Parker { items: vec![1u32, 2] };
    black_box(p.first());
    black_box(work(2));
    let method = Parker::<u32>::first as fn(&Parker<u32>) -> Option<u32>;
    println!(
        "ready {} work={:x} method={:x}",
        std::process::id(),
        work as fn(u64) -> u64 as usize,
        method as usize
    );
    std::thread::sleep(std::time::Duration::from_secs(600));
}

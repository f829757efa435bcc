// mangled: Rust code with generics, impls, trait impls, closures and const
// generics, compiled by the demangler tests only to read its symbol names.
use std::collections::HashMap;
pub struct Pool<T> { items: Vec<T> }
impl<T: Clone> Pool<T> {
    #[inline(never)] pub fn take(&mut self) -> Option<T> { self.items.pop() }
}
pub trait Job { fn run(&self) -> u32; }
impl Job for Pool<u8> { #[inline(never)] fn run(&self) -> u32 { self.items.len() as u32 } }
#[inline(never)] fn generic<const N: usize, T: std::fmt::Debug>(x: [T; N]) -> usize { println!("{:?}", x); N }
fn main() {
    let mut p = Pool { items: vec![1u8, 2] };
    let c = |x: u32| x + 1;
    let mut m: HashMap<&str, fn(&u8) -> bool> = HashMap::new();
    m.insert("a", |_| true);
    println!("{:?} {} {} {}", p.take(), p.run(), c(3), generic::<3, i32>([1,2,3]));
    let d: Box<dyn Fn(u32) -> u32> = Box::new(c); println!("{}", d(1));
}

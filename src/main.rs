//! The `leakguard` command-line tool. All CLI code lives in this binary's module tree; the
//! library knows nothing about arguments, terminals or exit codes.

mod cli;

/// mimalloc, not glibc's malloc: compiling a rule's regex on its first hit and growing lazy-DFA
/// caches are many short-lived allocations, and glibc's malloc/free/consolidate were a fifth
/// of a scan of code that names many providers (perf, BENCHMARKS.md). Built without
/// transparent huge pages (`no_thp`): with them, a freshly grown buffer could fault in and
/// zero a whole 2 MiB page, and run times swung by 40% between identical runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(cli::run());
}

//! The `leakguard` command-line tool. All CLI code lives in this binary's module tree; the
//! library knows nothing about arguments, terminals or exit codes.

mod cli;

fn main() {
    std::process::exit(cli::run());
}

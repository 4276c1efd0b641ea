//! Revocation pipeline (issue #4): real `leakguard` processes on 127.0.0.1 random ports, real
//! SQLite files, real HTTP. Test doubles are real HTTP servers (axum) playing GitLab's API or a
//! scripted Token Revocation API / partner endpoint. Every process writes its stdout and stderr
//! to files under the test's `logs/` directory, and every test ends by asserting that no log
//! contains any full token it generated.

mod client;
mod disk;
mod e2e;
mod gitlab;
mod harness;
mod service;
mod stall;

//! e2e tests live in it/

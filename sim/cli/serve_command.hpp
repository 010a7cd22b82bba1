#pragma once
// The `groundswell serve` subcommand: trainer mode (docs/server.md).
#include "groundswell/server/server.hpp"

namespace groundswell::cli {

/// `groundswell serve`: binds, prints the address to open, and serves until
/// SIGINT or SIGTERM, which one thread takes with sigwait to stop the server.
/// @param options the address, port, threads and limits of the server.
/// @return the exit status (kOk).
/// @throws InputError when the address cannot be bound.
int serve_command(const server::ServeOptions& options);

}  // namespace groundswell::cli

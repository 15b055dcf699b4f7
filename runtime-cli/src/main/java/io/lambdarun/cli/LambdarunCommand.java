package io.lambdarun.cli;

import picocli.CommandLine.Command;

/** The {@code lambdarun} command and its subcommands. */
@Command(
    name = "lambdarun",
    mixinStandardHelpOptions = true,
    version = "lambdarun 0.1.0",
    description =
        "Runs AWS Lambda handlers locally, in Docker or in Kubernetes, or serves the Lambda API.",
    subcommands = {InvokeCommand.class, ServeCommand.class, BackendsCommand.class})
final class LambdarunCommand {}

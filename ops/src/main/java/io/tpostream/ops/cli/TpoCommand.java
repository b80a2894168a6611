package io.tpostream.ops.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * The {@code tpo} command line. To add a subcommand: write a class annotated
 * {@code @Command(name = "...", description = "...")} that implements {@code Callable<Integer>} (return 0 on
 * success), take the Kafka options with {@code @Mixin KafkaOptions kafka;}, print through
 * {@code spec.commandLine().getOut()/getErr()} (with {@code @Spec CommandSpec spec;}) so tests can capture it,
 * and list the class in {@code subcommands} below. Every command gets {@code --help}, {@code --version} and
 * default values in its help automatically.
 */
@Command(name = "tpo",
        description = "Continuous TPO fine-tuning of a vision-language model from feedback on Kafka.",
        versionProvider = TpoVersion.class,
        subcommands = {
                BrokerCommand.class,
                TopicsCommand.class,
                ProduceCommand.class,
                ConsumeCommand.class,
                StreamsCommand.class,
                TrainCommand.class,
                SubscribeCommand.class,
                ServeCommand.class,
                ReplayCommand.class,
                KeygenCommand.class,
                RollbackCommand.class,
                DemoCommand.class,
                PretrainCommand.class,
                ModelCommand.class,
                WorldCommand.class,
                EvalCommand.class,
                ExperimentCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 success, 1 failure at run time, 2 usage error.",
                "Set TPO_DEBUG=1 to see stack traces."})
public final class TpoCommand implements Callable<Integer> {

    private static final TpoVersion VERSION = new TpoVersion();

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line; tests call {@code execute} on it with their own out/err writers. */
    public static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new TpoCommand());
        ErrorReporting errors = new ErrorReporting(System.getenv("TPO_DEBUG") != null);
        cli.setExecutionExceptionHandler(errors);
        cli.setParameterExceptionHandler(errors);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setUsageHelpAutoWidth(true);
        applyToAll(cli);
        return cli;
    }

    private static void applyToAll(CommandLine cli) {
        CommandSpec spec = cli.getCommandSpec();
        if (spec.findOption("--help") == null) { // picocli's own help command brings its own
            spec.mixinStandardHelpOptions(true);
            spec.versionProvider(VERSION);
        }
        spec.usageMessage().showDefaultValues(true);
        cli.getSubcommands().values().forEach(TpoCommand::applyToAll);
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command: demo, broker, topics, streams, produce, consume, train, subscribe, ... (tpo --help lists them)");
    }
}

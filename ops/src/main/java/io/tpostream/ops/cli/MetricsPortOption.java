package io.tpostream.ops.cli;

import io.tpostream.ops.metrics.MetricsEndpoint;
import io.tpostream.ops.metrics.PrometheusMetrics;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;

/** {@code --metrics-port}: Prometheus metrics of a long-running command at http://HOST:PORT/metrics. */
public final class MetricsPortOption {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics (JVM, Kafka clients, and the command's own) at "
                    + "http://HOST:PORT/metrics; 0 picks a free port (printed). Off unless given.")
    Integer port;

    @Option(names = "--metrics-host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address the metrics port listens on (0.0.0.0 in a container).")
    String host;

    boolean given() {
        return port != null;
    }

    /** Starts the endpoint and says where it is; null if --metrics-port was not given. */
    MetricsEndpoint start(PrometheusMetrics metrics, Runnable beforeScrape, PrintWriter err) {
        if (port == null) {
            return null;
        }
        if (port < 0 || port > 65535) {
            throw new ParameterException(command.commandLine(), "--metrics-port must be 0..65535, not " + port);
        }
        try {
            MetricsEndpoint endpoint = MetricsEndpoint.start(metrics, host, port, beforeScrape);
            err.println("metrics at http://" + host + ":" + endpoint.port() + "/metrics");
            err.flush();
            return endpoint;
        } catch (IOException e) {
            throw new ParameterException(command.commandLine(), "--metrics-port: " + e.getMessage(), e);
        }
    }
}

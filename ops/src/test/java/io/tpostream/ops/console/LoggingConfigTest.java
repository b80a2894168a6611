package io.tpostream.ops.console;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line's own logging configuration (src/main/resources/log4j2.xml): noise out, real warnings in. */
class LoggingConfigTest {

    private static LoggerContext context;

    @BeforeAll
    static void load() throws Exception {
        context = Configurator.initialize("tpo-cli-config-test", null,
                LoggingConfigTest.class.getResource("/log4j2.xml").toURI());
    }

    @AfterAll
    static void close() {
        Configurator.shutdown(context);
    }

    private static boolean printed(String logger, Level level, String message) {
        LoggerConfig config = context.getConfiguration().getLoggerConfig(logger);
        LogEvent event = Log4jLogEvent.newBuilder().setLoggerName(logger).setLevel(level)
                .setMessage(new SimpleMessage(message)).build();
        return config.getLevel().isLessSpecificThan(level) && !config.isFiltered(event);
    }

    @Test
    void benignEngineAndStreamsWarningsAreSilencedAndRealOnesKept() {
        assertFalse(printed("ai.djl.util.cuda.CudaUtils", Level.WARN,
                "Failed to detect GPU count: CUDA driver version is insufficient for CUDA runtime version (35)"));
        assertFalse(printed("org.apache.kafka.streams.StreamsConfig", Level.WARN, "Processing exception handler is "
                + "not enabled for the GlobalThread. It's recommended to set `processing.exception.handler.global"
                + ".enabled` to true to enable it."));
        assertTrue(printed("org.apache.kafka.streams.StreamsConfig", Level.WARN,
                "Unrecognized config: commit.intervall.ms"), "other StreamsConfig warnings stay");
        assertTrue(printed("ai.djl.pytorch.engine.PtEngine", Level.WARN, "a real engine warning"));
        assertTrue(printed("io.tpostream.trainer.serving.ModelSubscriber", Level.INFO, "serving m v3"));
        assertFalse(printed("org.apache.kafka.clients.consumer.ConsumerConfig", Level.INFO, "ConsumerConfig values:"),
                "libraries' INFO chatter stays out");
    }
}

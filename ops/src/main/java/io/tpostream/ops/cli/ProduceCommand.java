package io.tpostream.ops.cli;

import io.tpostream.ops.feedback.FeedbackJsonParser;
import io.tpostream.ops.feedback.FeedbackLine;
import io.tpostream.ops.feedback.PairingAdmission;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.kafka.SystemTopic;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.Topics;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

@Command(name = "produce",
        description = {
                "Publishes feedback events from a JSON Lines file to the feedback topic, keyed by the image's "
                        + "sha-256, Avro-encoded (single-object encoding).",
                "A bad line is reported on stderr as FILE:LINE: skipped: REASON and the rest is still sent. A line "
                        + "is bad if it is no feedback event, or if the pairing app (with the pairing options given "
                        + "here) would dead-letter it: produce runs the app's own validator on every line. At the end "
                        + "it prints 'sent N, skipped M (lines ...)' and exits with 1 if any line was skipped or not "
                        + "delivered, so that scripts notice."},
        footer = {"",
                "Input: one JSON object per line (example: ops/examples/feedback.jsonl).",
                "  eventId        string; default: a random UUID",
                "  occurredAt     ISO-8601 (\"2026-03-01T12:00:00Z\") or epoch millis; default: now",
                "  modelName      string, required",
                "  modelVersion   whole number >= 0, required (0 = the base model)",
                "  image          required, one of",
                "                   {\"path\": \"img/cat.png\"}   file relative to the JSONL file",
                "                   {\"base64\": \"iVBORw0...\"}  the encoded bytes",
                "                   {\"uri\": \"https://...\", \"sha256\": \"<64 hex>\"}",
                "                 path and base64 are sent inline, sha256/size/type read from",
                "                 the bytes; optional: uri, sha256, mediaType, width, height",
                "  prompt         string, required",
                "  response       string, required: what the model wrote",
                "  kind           RATING | CORRECTION | COMPARISON, required",
                "  rating         number (RATING)",
                "  correctedResponse  string (CORRECTION)",
                "  otherResponse  string (COMPARISON): the second response shown",
                "  otherPreferred true if otherResponse won (COMPARISON)",
                "  annotator      string; tenant: string, default \"default\"",
                "  attributes     object of strings",
                "null means absent; unknown fields are errors. The record timestamp is the",
                "time the broker appends it (the feedback topic is LogAppendTime), not occurredAt."})
final class ProduceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    /** The pairing app's settings: produce refuses what an app with them would dead-letter. */
    @Mixin
    PairingOptions pairing;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "feedback",
            description = "Where to write; produce writes feedback events, so only the feedback topic is accepted.")
    String topic;

    @Option(names = "--send-invalid",
            description = "Send the lines the pairing app will dead-letter too (each still reported on stderr as "
                    + "'sent anyway'), to try the dead-letter topic; lines that are no feedback event are still "
                    + "skipped.")
    boolean sendInvalid;

    @Option(names = "--input", required = true, paramLabel = "FILE.jsonl",
            description = "Feedback events, one JSON object per line; '-' reads stdin (image paths then start at "
                    + "the current directory).")
    String input;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String topicName = feedbackTopic();
        boolean stdin = input.equals("-");
        Path file = Path.of(input).toAbsolutePath();
        if (!stdin && !Files.isRegularFile(file)) {
            throw new ParameterException(spec.commandLine(), "--input: " + file + " is not a file");
        }
        ClientSettings settings = kafka.clientSettings();
        KafkaOptions.existingPartitions(settings, topicName);

        String name = stdin ? "stdin" : Path.of(input).getFileName().toString();
        FeedbackJsonParser parser = new FeedbackJsonParser(stdin ? Path.of("").toAbsolutePath() : file.getParent());
        PairingAdmission admission = new PairingAdmission(pairing.config());
        ProduceTally tally = new ProduceTally();
        AtomicReference<Exception> fatal = new AtomicReference<>();
        try (BufferedReader in = stdin
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(file, StandardCharsets.UTF_8);
             KafkaProducer<String, FeedbackEvent> producer = new KafkaProducer<>(settings.producer(),
                     new StringSerializer(), AvroSerde.of(FeedbackEvent.class).serializer())) {
            parser.forEachLine(in, parsedLine -> {
                String where = name + ":" + parsedLine.lineNumber();
                FeedbackLine line = parsedLine;
                if (parsedLine instanceof FeedbackLine.Parsed parsed) {
                    // the feedback topic stamps records with the broker's append time: about now
                    Optional<String> refusal = admission.refusal(parsed.event(), System.currentTimeMillis());
                    if (refusal.isPresent() && sendInvalid) {
                        err.println(where + ": sent anyway: " + refusal.get());
                        tally.sentInvalid(line.lineNumber());
                    } else if (refusal.isPresent()) {
                        line = new FeedbackLine.Rejected(line.lineNumber(), refusal.get());
                    }
                }
                if (line instanceof FeedbackLine.Rejected rejected) {
                    err.println(where + ": skipped: " + rejected.reason());
                    tally.skipped(line.lineNumber());
                    return;
                }
                if (fatal.get() != null) {
                    throw new StopSending(line.lineNumber());
                }
                FeedbackEvent event = ((FeedbackLine.Parsed) line).event();
                // no explicit timestamp: the broker stamps feedback with its append time, which the streams app
                // compares occurredAt with
                ProducerRecord<String, FeedbackEvent> record =
                        new ProducerRecord<>(topicName, event.getImage().getSha256(), event);
                try {
                    producer.send(record, delivery(where, line.lineNumber(), tally, fatal, err));
                } catch (KafkaException e) {
                    tally.failed(line.lineNumber());
                    err.println(where + ": not sent: " + deliveryProblem(e));
                    if (!concernsOnlyThisRecord(e)) {
                        fatal.compareAndSet(null, e);
                        throw new StopSending(line.lineNumber());
                    }
                }
            });
            producer.flush();
        } catch (StopSending stop) {
            err.println(name + ":" + stop.line + ": stopped: " + ErrorReporting.describe(fatal.get())
                    + "; this line and the ones after it were not sent");
        }
        out.println(tally.summary());
        out.flush();
        err.flush();
        return tally.allSent() && fatal.get() == null ? 0 : ErrorReporting.RUNTIME_FAILURE;
    }

    private String feedbackTopic() {
        SystemTopic target = kafka.systemTopic(topic);
        Topics topics = kafka.topics();
        if (target != SystemTopic.FEEDBACK) {
            throw new ParameterException(spec.commandLine(), "--topic: produce writes feedback events, so the topic "
                    + "must be feedback (" + topics.feedback() + "), not " + target.topicName(topics));
        }
        return target.topicName(topics);
    }

    private static Callback delivery(String where, int line, ProduceTally tally, AtomicReference<Exception> fatal,
                                     PrintWriter err) {
        return (metadata, e) -> {
            if (e == null) {
                tally.sent();
                return;
            }
            tally.failed(line);
            err.println(where + ": not delivered: " + deliveryProblem(e));
            if (!concernsOnlyThisRecord(e)) {
                fatal.compareAndSet(null, e);
            }
        };
    }

    /** Errors about one record; any other error (authorization, a broker gone for good) would hit every line. */
    private static boolean concernsOnlyThisRecord(Exception e) {
        return e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException
                || e instanceof InvalidRecordException || e instanceof SerializationException;
    }

    private static String deliveryProblem(Exception e) {
        String message = ErrorReporting.describe(e);
        if (e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException) {
            return message + " (the image travels inline: for large images give image.uri and image.sha256 "
                    + "instead of path or base64)";
        }
        return message;
    }

    /** Ends the reading loop after an error that every further line would meet too. */
    private static final class StopSending extends RuntimeException {
        final int line;

        StopSending(int line) {
            super(null, null, false, false);
            this.line = line;
        }
    }
}

package io.tpostream.streams.pairing;

import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.validation.FeedbackValidator;
import io.tpostream.streams.validation.Verdict;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * First step: decodes the raw record here rather than in a source deserializer, so that an unreadable record
 * becomes a dead letter with its bytes and position, instead of an exception the stream thread has to survive.
 * Forwards valid events, keyed by image sha-256, to {@link #next}; everything else to the dead-letter sink.
 */
final class ValidateProcessor implements Processor<byte[], byte[], String, Object> {

    private final FeedbackValidator validator;
    private final String next;
    private final String deadLetterSink;
    private ProcessorContext<String, Object> context;
    private PairingMetrics metrics;

    ValidateProcessor(PairingConfig config, String next, String deadLetterSink) {
        this.validator = new FeedbackValidator(config);
        this.next = next;
        this.deadLetterSink = deadLetterSink;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.metrics = PairingMetrics.forCurrentThread(context.metrics());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.eventIn();
        Verdict verdict = Guard.decide(() -> validator.validate(record.key(), record.value(), record.timestamp()),
                bug -> new Verdict.Rejected(bug, null));
        if (verdict instanceof Verdict.Accepted accepted) {
            ValidFeedback valid = new ValidFeedback(accepted.event(), record.key(), record.value());
            context.forward(record.withKey(accepted.event().getImage().getSha256()).withValue(valid), next);
        } else {
            Verdict.Rejected rejected = (Verdict.Rejected) verdict;
            metrics.deadLetter(rejected.rejection().reason());
            context.forward(record.withKey(rejected.eventId()).withValue(DeadLetters.of(RecordOrigin.of(context),
                    rejected.eventId(), rejected.rejection(), record.key(), record.value(), record.timestamp())),
                    deadLetterSink);
        }
    }
}

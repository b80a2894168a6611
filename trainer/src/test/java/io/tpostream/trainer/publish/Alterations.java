package io.tpostream.trainer.publish;

import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every single-field alteration of an Avro record, found by walking its schema (so a field added later is altered
 * too): each string, number, enum, optional value, nested record field, array element and map entry changed in turn,
 * and arrays and maps grown and shrunk. Keys are paths such as {@code artifact.sha256} or {@code metrics{loss}}.
 */
final class Alterations {

    private Alterations() {
    }

    @SuppressWarnings("unchecked")
    static <T extends SpecificRecord> Map<String, T> of(T record, Set<String> skipTopLevel) {
        Map<String, T> out = new LinkedHashMap<>();
        Schema schema = record.getSchema();
        for (Schema.Field f : schema.getFields()) {
            if (skipTopLevel.contains(f.name())) {
                continue;
            }
            for (Map.Entry<String, Object> v : variants(f.schema(), record.get(f.pos())).entrySet()) {
                T copy = (T) SpecificData.get().deepCopy(schema, record);
                copy.put(f.pos(), v.getValue());
                out.put(f.name() + v.getKey(), copy);
            }
        }
        return out;
    }

    /** Altered copies of one value, by the path below it that was changed. */
    private static Map<String, Object> variants(Schema s, Object v) {
        Map<String, Object> out = new LinkedHashMap<>();
        switch (s.getType()) {
            case RECORD -> {
                IndexedRecord r = (IndexedRecord) v;
                for (Schema.Field f : s.getFields()) {
                    for (Map.Entry<String, Object> e : variants(f.schema(), r.get(f.pos())).entrySet()) {
                        IndexedRecord copy = (IndexedRecord) SpecificData.get().deepCopy(s, r);
                        copy.put(f.pos(), e.getValue());
                        out.put("." + f.name() + e.getKey(), copy);
                    }
                }
            }
            case UNION -> {
                if (v == null) {
                    Schema branch = s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst()
                            .orElseThrow();
                    out.put("=set", sample(branch));
                } else {
                    int index = SpecificData.get().resolveUnion(s, v);
                    out.putAll(variants(s.getTypes().get(index), v));
                    if (s.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL)) {
                        out.put("=null", null);
                    }
                }
            }
            case STRING -> out.put("", v + "x");
            case LONG -> out.put("", v instanceof Instant i ? i.plusMillis(1) : (Long) v + 1);
            case INT -> out.put("", (Integer) v + 1);
            case DOUBLE -> out.put("", Math.nextUp((Double) v));
            case BOOLEAN -> out.put("", !(Boolean) v);
            case ENUM -> {
                String other = s.getEnumSymbols().stream().filter(sym -> !sym.equals(v.toString())).findFirst()
                        .orElseThrow();
                out.put("", SpecificData.get().createEnum(other, s));
            }
            case BYTES -> {
                ByteBuffer b = ((ByteBuffer) v).duplicate();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                bytes[0] ^= 1;
                out.put("[0]", ByteBuffer.wrap(bytes));
            }
            case ARRAY -> {
                List<?> list = (List<?>) v;
                for (int i = 0; i < list.size(); i++) {
                    for (Map.Entry<String, Object> e : variants(s.getElementType(), list.get(i)).entrySet()) {
                        List<Object> copy = new ArrayList<>(list);
                        copy.set(i, e.getValue());
                        out.put("[" + i + "]" + e.getKey(), copy);
                    }
                }
                if (!list.isEmpty()) {
                    List<Object> shorter = new ArrayList<>(list);
                    shorter.remove(shorter.size() - 1);
                    out.put("[-]", shorter);
                    List<Object> longer = new ArrayList<>(list);
                    longer.add(SpecificData.get().deepCopy(s.getElementType(), list.get(0)));
                    out.put("[+]", longer);
                }
            }
            case MAP -> {
                Map<?, ?> map = (Map<?, ?>) v;
                for (Object key : map.keySet()) {
                    for (Map.Entry<String, Object> e : variants(s.getValueType(), map.get(key)).entrySet()) {
                        Map<Object, Object> copy = new LinkedHashMap<>(map);
                        copy.put(key, e.getValue());
                        out.put("{" + key + "}" + e.getKey(), copy);
                    }
                    Map<Object, Object> without = new LinkedHashMap<>(map);
                    without.remove(key);
                    out.put("{-" + key + "}", without);
                }
                Map<Object, Object> grown = new LinkedHashMap<>(map);
                grown.put("added", sample(s.getValueType()));
                out.put("{+}", grown);
            }
            default -> throw new IllegalArgumentException("no alteration for " + s.getType());
        }
        return out;
    }

    private static Object sample(Schema s) {
        return switch (s.getType()) {
            case STRING -> "x";
            case LONG -> 1L;
            case INT -> 1;
            case DOUBLE -> 1.0;
            case BOOLEAN -> true;
            case BYTES -> ByteBuffer.wrap(new byte[] {1});
            default -> throw new IllegalArgumentException("no sample for " + s.getType());
        };
    }
}

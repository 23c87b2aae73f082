package io.replicator.translate.plan;

import io.replicator.core.codec.ScaleRounding;

import io.replicator.core.ReplicatorException;
import io.replicator.translate.framework.Framework;
import io.replicator.translate.schema.SourceSchema;
import io.replicator.translate.types.ConflictPolicy;
import io.replicator.core.types.PgType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The user's choices for a translation, validated up front.
 *
 * @param typeOverrides "table.column" → type, from {@code --type table.column=TYPE}
 * @param framework     the framework whose PostgreSQL schema the translation follows; null: recognized from the file's
 *                      own tables. A snapshot stores the one it found, so that a table re-planned during the copy, or
 *                      added while replicating (planned alone, without the marker tables), is translated the same way.
 * @param intoExisting  fill the tables the application's own migrations made in {@code schema} (columns matched by
 *                      name, every value converted into the existing column's type exactly) instead of creating them
 * @param roundToScale  "table.column" (or {@value #EVERY_COLUMN}) of numeric(p,s) columns whose REAL values are rounded to
 *                      their scale ({@code --round-to-scale}; see {@link io.replicator.core.codec.ScaleRounding})
 */
public record PlanOptions(String schema, Map<String, PgType> typeOverrides, ConflictPolicy conflictPolicy, Framework framework,
                          boolean intoExisting, Set<String> roundToScale) {

    /** {@code --round-to-scale='*'}: every numeric(p,s) column. */
    public static final String EVERY_COLUMN = "*";

    public PlanOptions(String schema, Map<String, PgType> typeOverrides, ConflictPolicy conflictPolicy) {
        this(schema, typeOverrides, conflictPolicy, null, false, Set.of());
    }

    public PlanOptions(String schema, Map<String, PgType> typeOverrides, ConflictPolicy conflictPolicy, Framework framework) {
        this(schema, typeOverrides, conflictPolicy, framework, false, Set.of());
    }

    public PlanOptions {
        if (schema == null || schema.isBlank()) throw ReplicatorException.config("--schema must not be empty");
        if (schema.getBytes(StandardCharsets.UTF_8).length > 63) {
            throw ReplicatorException.config("--schema '" + schema + "' is longer than PostgreSQL's 63-byte limit");
        }
        if (schema.equals("replicator")) throw ReplicatorException.config("--schema 'replicator' is where this tool keeps its own state; choose another");
        roundToScale = Set.copyOf(roundToScale);
        for (String c : roundToScale) {
            if (!c.equals(EVERY_COLUMN) && (c.indexOf('.') <= 0 || c.endsWith("."))) {
                throw ReplicatorException.config("--round-to-scale expects table.column or '*', got '" + c + "'");
            }
        }
        if (intoExisting && !typeOverrides.isEmpty()) {
            throw ReplicatorException.config("--type does not apply with --into-existing: the application's tables in schema " + schema
                    + " already have their types (change a column with a migration of the application instead)");
        }
    }

    /** These options for a copy into the application's existing tables. */
    public PlanOptions intoExistingTables() {
        return new PlanOptions(schema, typeOverrides, conflictPolicy, framework, true, roundToScale);
    }

    /** These options with REAL values of the named numeric(p,s) columns rounded to their scale. */
    public PlanOptions roundingToScale(List<String> columns) {
        return new PlanOptions(schema, typeOverrides, conflictPolicy, framework, intoExisting, Set.copyOf(columns));
    }

    /** How REAL values are rounded to a column's scale: as the framework shows them (exact when none is settled). */
    public ScaleRounding.Style decimalRounding() {
        return framework == null ? ScaleRounding.Style.EXACT : framework.decimalRounding();
    }

    /** Whether REAL values of {@code table.column} are rounded to the column's scale. */
    public boolean roundsToScale(String table, String column) {
        return roundToScale.contains(EVERY_COLUMN) || roundToScale.contains(table + "." + column);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** These options with the framework settled: the one given, else the one {@code schema}'s tables show. */
    public PlanOptions resolved(SourceSchema source) {
        return framework != null ? this : new PlanOptions(schema, typeOverrides, conflictPolicy, Framework.detect(source), intoExisting, roundToScale);
    }

    /**
     * The options as stored with a snapshot ({@code {"types": {"t.c": "timestamp"}, "on_type_conflict": "refuse",
     * "framework": "DJANGO"}}),
     * so that tables and columns added while streaming are planned with the same choices.
     */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode types = o.putObject("types");
        typeOverrides.forEach((k, v) -> types.put(k, v.sql()));
        o.put("on_type_conflict", conflictPolicy.name().toLowerCase(Locale.ROOT));
        if (framework != null) o.put("framework", framework.name());
        if (intoExisting) o.put("into_existing", true);
        if (!roundToScale.isEmpty()) roundToScale.stream().sorted().forEach(o.putArray("round_to_scale")::add);
        return o.toString();
    }

    /** The options stored with a snapshot ({@link #toJson}); null or empty JSON (a snapshot of an earlier version) gives the defaults. */
    public static PlanOptions fromJson(String schema, String json) {
        if (json == null || json.isBlank()) return of(schema, List.of(), "refuse");
        try {
            JsonNode o = JSON.readTree(json);
            List<String> flags = new ArrayList<>();
            o.path("types").fields().forEachRemaining(e -> flags.add(e.getKey() + "=" + e.getValue().asText()));
            PlanOptions opt = of(schema, flags, o.path("on_type_conflict").asText("refuse"));
            String fw = o.path("framework").asText(null);
            boolean existing = o.path("into_existing").asBoolean(false);
            Set<String> rounded = new HashSet<>();
            o.path("round_to_scale").forEach(n -> rounded.add(n.asText()));
            try {
                return new PlanOptions(schema, opt.typeOverrides(), opt.conflictPolicy(), fw == null ? null : Framework.valueOf(fw), existing, rounded);
            } catch (IllegalArgumentException unknown) {
                throw ReplicatorException.runtime("the translation options stored with the snapshot of schema " + schema + " name framework '" + fw
                        + "', which this version does not know; use the version that took the snapshot, or take a new one (snapshot --drop)", unknown);
            }
        } catch (JsonProcessingException e) {
            throw ReplicatorException.runtime("the translation options stored with the snapshot of schema " + schema + " are not readable: " + json, e);
        }
    }

    public static PlanOptions of(String schema, List<String> typeFlags, String onTypeConflict) {
        Map<String, PgType> overrides = new LinkedHashMap<>();
        for (String f : typeFlags) {
            int eq = f.lastIndexOf('=');
            if (eq <= 0 || eq == f.length() - 1 || f.substring(0, eq).indexOf('.') < 0) {
                throw ReplicatorException.config("--type expects table.column=TYPE (e.g. --type products.qty=text), got '" + f + "'");
            }
            overrides.put(f.substring(0, eq), PgType.parse(f.substring(eq + 1)));
        }
        ConflictPolicy policy = switch (onTypeConflict == null ? "refuse" : onTypeConflict) {
            case "refuse" -> ConflictPolicy.REFUSE;
            case "widen" -> ConflictPolicy.WIDEN;
            default -> throw ReplicatorException.config("--on-type-conflict must be refuse or widen, got '" + onTypeConflict + "'");
        };
        return new PlanOptions(schema, overrides, policy);
    }
}

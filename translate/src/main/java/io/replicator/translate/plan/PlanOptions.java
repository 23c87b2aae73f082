package io.replicator.translate.plan;

import io.replicator.core.ReplicatorException;
import io.replicator.translate.types.ConflictPolicy;
import io.replicator.core.types.PgType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The user's choices for a translation, validated up front.
 *
 * @param typeOverrides "table.column" → type, from {@code --type table.column=TYPE}
 */
public record PlanOptions(String schema, Map<String, PgType> typeOverrides, ConflictPolicy conflictPolicy) {

    public PlanOptions {
        if (schema == null || schema.isBlank()) throw ReplicatorException.config("--schema must not be empty");
        if (schema.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63) {
            throw ReplicatorException.config("--schema '" + schema + "' is longer than PostgreSQL's 63-byte limit");
        }
        if (schema.equals("replicator")) throw ReplicatorException.config("--schema 'replicator' is where this tool keeps its own state; choose another");
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

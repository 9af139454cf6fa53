// `curio init`: writes a commented curio.yaml for a preset (comments come from the schema).
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, Option } from "commander";
import { ConfigError } from "../../config/errors.js";
import { parseConfig } from "../../config/load.js";
import { presetConfig, presetNames, presets } from "../../config/presets.js";
import { renderConfigYaml } from "../../config/render-yaml.js";
import { methods } from "../../config/schema.js";
import { type Io, makeOutput, processIo } from "../output.js";

const SEED_DATA: Record<string, string> = {
  imdb: 'IMDb reviews as data/imdb.jsonl, one {"text": ...} per line (HF dataset stanfordnlp/imdb)',
  alpaca: "data/alpaca_data.json from the tatsu-lab/stanford_alpaca repository",
  dolly: "data/databricks-dolly-15k.jsonl (HF dataset databricks/databricks-dolly-15k)",
  "llama2-chat": "data/databricks-dolly-15k.jsonl (HF dataset databricks/databricks-dolly-15k)",
  "openai-compatible":
    "data/databricks-dolly-15k.jsonl (HF dataset databricks/databricks-dolly-15k), or your own questions",
};

export function initCommand(io: Io = processIo): Command {
  return new Command("init")
    .description("write a commented curio.yaml for a preset")
    .addOption(
      new Option("--preset <name>", "settings to start from (baselines: NAME:METHOD)").default("demo"),
    )
    .addOption(
      new Option("--method <method>", "override the preset's method (baselines)").choices([...methods]),
    )
    .option("-o, --output <file>", "where to write the config", "curio.yaml")
    .option("--force", "overwrite an existing file")
    .option("--list", "list the presets and exit")
    .option("--json", "print a JSON summary")
    .action(
      (
        o: {
          preset: string;
          method?: (typeof methods)[number];
          output: string;
          force?: boolean;
          list?: boolean;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const out = makeOutput(cmd, o, io);
        if (o.list) {
          if (out.json)
            out.record(presetNames.map((name) => ({ name, description: presets[name].description })));
          for (const name of presetNames) out.line(`${name.padEnd(18)} ${presets[name].description}`);
          return;
        }
        const sparse = presetConfig(o.preset, o.method);
        const full = parseConfig(sparse, `preset ${o.preset}`);
        const path = resolve(o.output);
        if (existsSync(path) && !o.force) {
          throw new ConfigError(`${o.output} already exists`, {
            hint: "pass --force to overwrite it, or -o another.yaml",
          });
        }
        const base = o.preset.split(":")[0]!;
        const header = [
          `curio.yaml: a curiosity-driven red-teaming campaign (preset ${o.preset}${o.method ? `, method ${o.method}` : ""}).`,
          "Commented keys show their defaults; every key is described in docs/config.md.",
          "Strings may use ${ENV_VAR} or ${ENV_VAR:-default}; file://path loads a file (relative to this file).",
          ...(SEED_DATA[base] ? [`Seed data: ${SEED_DATA[base]}.`] : []),
          "yaml-language-server: $schema=./node_modules/curio-redteam/schema/curio.schema.json",
        ];
        writeFileSync(path, renderConfigYaml(full as Record<string, unknown>, sparse, header));
        if (out.json) out.record({ path, preset: o.preset, method: full.method });
        out.line(`wrote ${o.output} (preset ${o.preset}, method ${full.method})`);
        out.info(`next: edit it, then \`curio run -c ${o.output}\``);
      },
    );
}

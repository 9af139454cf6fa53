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
  "qwen-instruct":
    "data/databricks-dolly-15k.jsonl (HF dataset databricks/databricks-dolly-15k), or your own questions",
};

/** A hub id (owner/name, or a bare name such as gpt2), not a folder or a built-in model like world:redteam. */
const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;

/**
 * Header lines saying which files an in-process model needs and where they go without hub access (the files
 * loadCausalLM reads; the cache folder is hubCacheFolder's layout).
 */
export function offlineModelNotes(what: string, id: string): string[] {
  if (!HUB_ID.test(id)) return [];
  const folder = `~/.cache/curio/models/${id.replaceAll("/", "--")}/main/`;
  const local = `./models/${id.split("/").pop()}`;
  return [
    `Offline use of the ${what} ${id} (no hub access at run time):`,
    `  1. download from https://huggingface.co/${id}/tree/main`,
    "     config.json, generation_config.json, tokenizer.json, tokenizer_config.json,",
    "     chat_template.jinja (when the model has one), and model.safetensors (a sharded model:",
    "     model.safetensors.index.json and every model-0000N-of-0000M.safetensors it lists);",
    `  2. put them in ${folder} (CURIO_CACHE_DIR moves`,
    "     ~/.cache/curio/models) and set CURIO_OFFLINE=1, or put them in a folder of your own, e.g.",
    `     ${local}, and write that path here instead of the hub id.`,
  ];
}

/** The in-process models a config loads: the red-team model, and a local: (alias gpt2:) target. */
function localModels(config: { redteam: { model: string }; target: { id: string } }): [string, string][] {
  const out: [string, string][] = [["red-team model", config.redteam.model]];
  const local = /^(local|gpt2):(.+)$/.exec(config.target.id);
  if (local) out.push(["target model", local[2]!]);
  return out;
}

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
          ...localModels(full).flatMap(([what, id]) => offlineModelNotes(what, id)),
          "yaml-language-server: $schema=./node_modules/curio-redteam/schema/curio.schema.json",
        ];
        writeFileSync(path, renderConfigYaml(full as Record<string, unknown>, sparse, header));
        if (out.json) out.record({ path, preset: o.preset, method: full.method });
        out.line(`wrote ${o.output} (preset ${o.preset}, method ${full.method})`);
        out.info(`next: edit it, then \`curio run -c ${o.output}\``);
      },
    );
}

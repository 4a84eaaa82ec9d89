import { z } from 'zod';
import type { SignalName } from '../signals.js';
import { docker, type DockerStop } from './docker.js';
import { kubernetes, type KubernetesStop } from './kubernetes.js';
import type { ProblemSink, StopFile, StopModelDef, StopSettings, TargetStop, WrittenStop } from './model.js';
import { supervisord, type SupervisordStop } from './supervisord.js';
import { systemd, type SystemdStop } from './systemd.js';

// The stop models sigstorm knows, and the lookups the rest of it uses instead of naming a model.

export type { DockerStop, KubernetesStop, SupervisordStop, SystemdStop };
/** The built-in models' settings. */
export type StopModel = DockerStop | KubernetesStop | SystemdStop | SupervisordStop;

let models: readonly StopModelDef[] = [];

/**
 * Adds a model (before the scenarios that name it are loaded): the scenario schema's `stop:` takes its keys from
 * then on, and its diagnoses join the catalogue after those of the models before it.
 */
export function registerStopModel(model: StopModelDef): void {
  if (models.some((m) => m.name === model.name)) throw new Error(`a stop model named ${model.name} is registered already`);
  models = [...models, model];
}

// The built-ins, in the order the schema lists them (and the catalogue their diagnoses). The first is the default.
registerStopModel(docker);
registerStopModel(kubernetes);
registerStopModel(systemd);
registerStopModel(supervisord);

/** The models registered, in order: the same array until another is registered. */
export const stopModels = (): readonly StopModelDef[] => models;

/** The model a scenario without `stop:` is stopped by: docker stop. */
const defaultModel = (): StopModelDef => models[0]!;

/** The model of this name, if registered (a saved record may name one that is not). */
export const stopModelNamed = (name: string): StopModelDef | undefined => models.find((m) => m.name === name);

/** The model that resolved these settings. */
export function stopModelOf(settings: StopSettings): StopModelDef {
  const model = stopModelNamed(settings.model);
  if (!model) throw new Error(`no stop model named ${settings.model} is registered`);
  return model;
}

/** `stop:` of the scenario schema: one branch per model registered now, told apart by `model`. */
export function stopSchema(): z.ZodType<WrittenStop> {
  const [first, ...rest] = models.map((m) => m.schema as z.ZodObject<{ model: z.ZodLiteral<string> }>);
  return z.discriminatedUnion('model', [first!, ...rest]);
}

/** The scenario's `stop:` (absent: the default model) with every default filled in, by its model. */
export function resolveStop(written: WrittenStop | undefined, file: StopFile, target: TargetStop, problems: ProblemSink): StopSettings {
  const model = written ? stopModelNamed(written.model)! : defaultModel();
  return model.resolve(written ?? model.schema.parse({ model: model.name }), file, target, problems);
}

/** The signal the model stops the target with, and how long it waits before its final kill. */
export const stopContractOf = (settings: StopSettings): { signal: SignalName; graceMs: number } => stopModelOf(settings).contract(settings);

/** "kubernetes (deploy.yaml (container web)): preStop sleep 6 s, SIGTERM, grace 5 s, endpoints lag up to 1 s" */
export const describeStopModel = (settings: StopSettings): string => stopModelOf(settings).describe(settings);

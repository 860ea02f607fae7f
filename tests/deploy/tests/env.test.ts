import { readFileSync } from 'node:fs';
import { databaseConfig, loggingConfig, parseConfig } from '@cloud-images/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { adminCliConfigSchema } from '../../../services/api/src/admin/admin-config.js';
import { apiConfigSchema } from '../../../services/api/src/config.js';
import { workerConfigSchema } from '../../../services/worker/src/config.js';
import {
  type ComposeFile,
  find,
  type K8sObject,
  kustomize,
  type Overlay,
  overlays,
  repoPath,
  report,
  resolvedCompose,
} from './helpers.js';

type ObjectSchema = z.ZodType & { shape: Record<string, z.ZodType> };

/** Opens tenants' sealed S3 secrets: the worker and the admin CLI need it, the API server must never get it. */
const TENANT_KEY = 'TENANT_SECRET_KEY';
/** The k8s Secret that holds it, apart from cloud-images-secrets so the api Deployment can leave it out. */
const TENANT_KEY_SECRET = 'cloud-images-tenant-secret-key';

/** The migrate CLI builds its schema inline (packages/shared/src/db/migrate-cli.ts); the same one here. */
const migrateConfigSchema = databaseConfig.extend(loggingConfig.shape);

const schemas = {
  api: apiConfigSchema,
  worker: workerConfigSchema,
  migrate: migrateConfigSchema,
  admin: adminCliConfigSchema,
} satisfies Record<string, ObjectSchema>;
type Program = keyof typeof schemas;

const requiredKeys = (schema: ObjectSchema) =>
  Object.entries(schema.shape)
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([key]) => key)
    .sort();

/** One process of ours, with the environment a deployment file gives it. */
interface ProcessEnv {
  where: string;
  program: Program;
  /** value undefined: set from a Secret whose values are not in the rendered output (prod) or are placeholders. */
  env: Map<string, string | undefined>;
}

function check({ where, program, env }: ProcessEnv): string {
  const schema: ObjectSchema = schemas[program];
  const known = new Set(Object.keys(schema.shape));
  const unknown = [...env.keys()].filter((key) => !known.has(key));
  expect(unknown, `${where} sets variables the ${program} config schema does not know`).toEqual([]);
  const missing = requiredKeys(schema).filter((key) => !env.has(key));
  expect(missing, `${where} does not set required ${program} variables`).toEqual([]);
  for (const [key, value] of env) {
    if (value === undefined) continue;
    const parsed = schema.shape[key]!.safeParse(value);
    expect(parsed.success, `${where}: ${key}=${value} is rejected: ${parsed.error?.message}`).toBe(true);
  }
  const complete = [...env.values()].every((v) => v !== undefined);
  if (complete) {
    // The whole environment, exactly as the service parses it at start-up.
    expect(() => parseConfig(schema, Object.fromEntries(env))).not.toThrow();
  }
  return `ok   ${where} (${program}): ${env.size} set, all known; required ${requiredKeys(schema).join(', ')} present${
    complete
      ? '; full parse ok'
      : `; secret values not in the render: ${[...env]
          .filter(([, v]) => v === undefined)
          .map(([k]) => k)
          .join(', ')}`
  }`;
}

it('the migrate CLI still builds its schema as this test assumes', () => {
  const source = readFileSync(repoPath('packages/shared/src/db/migrate-cli.ts'), 'utf8');
  expect(source).toContain('databaseConfig.extend(loggingConfig.shape)');
});

describe('docker-compose.yml environment', () => {
  let compose: ComposeFile;
  beforeAll(async () => {
    compose = await resolvedCompose();
  });

  it('sets only variables the config schemas know, every required one, with valid defaults', () => {
    const programs: Record<string, Program> = {
      api: 'api',
      worker: 'worker',
      migrate: 'migrate',
      'demo-tenant': 'admin',
    };
    // Every service running one of our images is covered: a new one must be added above.
    const ours = Object.entries(compose.services)
      .filter(([, s]) => s.image?.startsWith('cloud-images-'))
      .map(([name]) => name);
    expect(ours.sort()).toEqual(Object.keys(programs).sort());
    const lines = Object.entries(programs).map(([service, program]) => {
      const environment = compose.services[service]?.environment ?? {};
      const env = new Map(Object.entries(environment).map(([k, v]) => [k, v ?? '']));
      return check({ where: `compose service ${service}`, program, env });
    });
    report('env vars in docker-compose.yml vs the config schemas', lines.join('\n'));
  });

  it('gives TENANT_SECRET_KEY to the worker and the admin CLI, never to the api', () => {
    expect(apiConfigSchema.shape, 'the API server schema must not know the key').not.toHaveProperty(
      TENANT_KEY,
    );
    expect(Object.keys(compose.services.api?.environment ?? {})).not.toContain(TENANT_KEY);
    for (const service of ['worker', 'demo-tenant']) {
      expect(compose.services[service]?.environment?.[TENANT_KEY], service).toEqual(expect.any(String));
    }
  });
});

describe('Kubernetes environment', () => {
  const rendered = {} as Record<Overlay | 'base', K8sObject[]>;
  /** The base's Secret templates: prod renders none and expects them created out of band with these keys. */
  const secretTemplates = new Map<string, K8sObject>();
  beforeAll(async () => {
    for (const name of ['base', ...overlays] as const) {
      rendered[name] = (
        await kustomize(name === 'base' ? 'deploy/k8s/base' : `deploy/k8s/overlays/${name}`)
      ).objects;
    }
    for (const secret of rendered.base.filter((o) => o.kind === 'Secret')) {
      secretTemplates.set(secret.metadata.name, secret);
    }
  });

  function secretData(objects: K8sObject[], name: string): Map<string, string | undefined> {
    const secret = find(objects, 'Secret', name);
    if (secret) {
      // The base template's values are deliberately invalid placeholders: treat them as unknown values.
      const placeholder =
        secretTemplates.get(name) === secret || Object.values(secret.stringData ?? {}).includes('REPLACE_ME');
      const entries = [
        ...Object.entries(secret.stringData ?? {}),
        ...Object.entries(secret.data ?? {}).map(
          ([k, v]) => [k, Buffer.from(v, 'base64').toString()] as const,
        ),
      ];
      return new Map(entries.map(([k, v]) => [k, placeholder ? undefined : v]));
    }
    // Not rendered (prod): created out of band with the template's keys (docs/deploy.md).
    const template = secretTemplates.get(name);
    expect(template, `Secret ${name} is neither rendered nor a base template`).toBeDefined();
    return new Map(Object.keys(template?.stringData ?? {}).map((k) => [k, undefined]));
  }

  function configMapData(objects: K8sObject[], name: string): Map<string, string> {
    const configMap = find(objects, 'ConfigMap', name);
    expect(configMap, `ConfigMap ${name} is referenced but not rendered`).toBeDefined();
    return new Map(Object.entries(configMap?.data ?? {}));
  }

  type EnvSource = { configMapRef?: { name: string }; secretRef?: { name: string; optional?: boolean } };
  type EnvVar = {
    name: string;
    value?: string;
    valueFrom?: {
      configMapKeyRef?: { name: string; key: string };
      secretKeyRef?: { name: string; key: string };
      fieldRef?: { fieldPath: string };
    };
  };

  function containerEnv(objects: K8sObject[], container: { envFrom?: EnvSource[]; env?: EnvVar[] }) {
    const env = new Map<string, string | undefined>();
    for (const source of container.envFrom ?? []) {
      // An optional Secret (the queue UI's credential) may be absent: its variables are then simply unset.
      const optionalRef = source.secretRef?.optional === true;
      if (
        optionalRef &&
        !find(objects, 'Secret', source.secretRef!.name) &&
        !secretTemplates.has(source.secretRef!.name)
      ) {
        continue;
      }
      const data = source.configMapRef
        ? configMapData(objects, source.configMapRef.name)
        : secretData(objects, source.secretRef!.name);
      for (const [k, v] of data) env.set(k, v);
    }
    for (const variable of container.env ?? []) {
      const { configMapKeyRef, secretKeyRef, fieldRef } = variable.valueFrom ?? {};
      // The kubelet fills a field reference (e.g. spec.nodeName) at start: any non-empty value stands for it.
      if (fieldRef) {
        env.set(variable.name, `<${fieldRef.fieldPath}>`);
        continue;
      }
      let data: Map<string, string | undefined> | undefined;
      let key = variable.name;
      if (configMapKeyRef) [data, key] = [configMapData(objects, configMapKeyRef.name), configMapKeyRef.key];
      if (secretKeyRef) [data, key] = [secretData(objects, secretKeyRef.name), secretKeyRef.key];
      if (data) expect(data.has(key), `${variable.name} refers to missing key ${key}`).toBe(true);
      env.set(variable.name, data ? data.get(key) : (variable.value ?? ''));
    }
    return env;
  }

  it.each(['base', ...overlays] as const)(
    '%s: containers set only variables their schema knows, every required one, with valid values',
    (name) => {
      const programs: Record<string, Program> = { api: 'api', worker: 'worker', migrate: 'migrate' };
      const lines: string[] = [];
      for (const object of rendered[name]) {
        if (object.kind !== 'Deployment' && object.kind !== 'Job') continue;
        for (const container of object.spec.template.spec.containers) {
          const ours = /cloud-images[-/]/.test(container.image);
          if (!ours) continue;
          const program = programs[container.name];
          expect(
            program,
            `unclassified container ${container.name} in ${object.metadata.name}`,
          ).toBeDefined();
          const env = containerEnv(rendered[name], container);
          lines.push(
            check({ where: `${name} ${object.kind}/${object.metadata.name}`, program: program!, env }),
          );
        }
      }
      expect(lines).toHaveLength(3);
      report(`env vars in k8s ${name} vs the config schemas`, lines.join('\n'));
    },
  );

  it.each(['base', ...overlays] as const)(
    '%s: TENANT_SECRET_KEY reaches the worker, and the api Deployment neither receives nor mounts it',
    (name) => {
      const objects = rendered[name];
      const podSpec = (deployment: string) => find(objects, 'Deployment', deployment)!.spec.template.spec;
      const api = podSpec('cloud-images-api');
      // Any reference at all (envFrom, secretKeyRef, a secret volume) would put the key in the pod.
      expect(JSON.stringify(api), 'the api pod references the tenant-key Secret').not.toContain(
        TENANT_KEY_SECRET,
      );
      for (const container of [...api.containers, ...(api.initContainers ?? [])]) {
        expect([...containerEnv(objects, container).keys()], container.name).not.toContain(TENANT_KEY);
      }
      const worker = podSpec('cloud-images-worker').containers[0];
      expect(containerEnv(objects, worker).has(TENANT_KEY), 'the worker gets the key').toBe(true);
      // Only the key is in that Secret, so mounting it never hands a pod anything else.
      expect([...secretData(objects, TENANT_KEY_SECRET).keys()]).toEqual([TENANT_KEY]);
      expect([...secretData(objects, 'cloud-images-secrets').keys()]).not.toContain(TENANT_KEY);
    },
  );
});

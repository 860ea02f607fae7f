import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { tenantLimitDefaultsConfig } from '@cloud-images/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { workerConfigSchema } from '../../../services/worker/src/config.js';
import {
  find,
  findGenerated,
  type K8sObject,
  kustomize,
  type Overlay,
  overlays,
  repoPath,
  report,
  run,
} from './helpers.js';

type Validatable = { validate(): void };
type ModelClass = new (data: unknown) => Validatable;

/** The kubernetes-models modules for the apiVersions the manifests use (an unknown one fails the test). */
const modelModules: Record<string, () => Promise<unknown>> = {
  v1: () => import('kubernetes-models/v1'),
  'apps/v1': () => import('kubernetes-models/apps/v1'),
  'batch/v1': () => import('kubernetes-models/batch/v1'),
  'policy/v1': () => import('kubernetes-models/policy/v1'),
  'autoscaling/v2': () => import('kubernetes-models/autoscaling/v2'),
  'networking.k8s.io/v1': () => import('kubernetes-models/networking.k8s.io/v1'),
};

async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const load = modelModules[apiVersion];
  if (!load) return undefined;
  return ((await load()) as Record<string, ModelClass | undefined>)[kind];
}

/**
 * KEDA's CRDs are not in kubernetes-models: their shape is checked here. Strict objects, so a misspelt
 * field (which KEDA would silently ignore) fails the test.
 */
const scaledObjectSchema = z.strictObject({
  apiVersion: z.literal('keda.sh/v1alpha1'),
  kind: z.literal('ScaledObject'),
  metadata: z.object({ name: z.string().min(1), namespace: z.string().optional() }).passthrough(),
  spec: z.strictObject({
    scaleTargetRef: z.strictObject({
      apiVersion: z.literal('apps/v1'),
      kind: z.literal('Deployment'),
      name: z.string().min(1),
    }),
    minReplicaCount: z.number().int().min(1),
    maxReplicaCount: z.number().int().min(1),
    pollingInterval: z.number().int().positive(),
    cooldownPeriod: z.number().int().positive(),
    advanced: z
      .strictObject({
        horizontalPodAutoscalerConfig: z.strictObject({
          behavior: z.object({ scaleDown: z.object({}).passthrough() }).passthrough(),
        }),
      })
      .optional(),
    triggers: z
      .array(
        z.strictObject({
          type: z.literal('postgresql'),
          metadata: z.strictObject({
            query: z.string().min(1),
            targetQueryValue: z.string().regex(/^\d+(\.\d+)?$/),
            activationTargetQueryValue: z.string().regex(/^\d+(\.\d+)?$/),
          }),
          authenticationRef: z.strictObject({ name: z.string().min(1) }),
        }),
      )
      .min(1),
  }),
});

const triggerAuthenticationSchema = z.strictObject({
  apiVersion: z.literal('keda.sh/v1alpha1'),
  kind: z.literal('TriggerAuthentication'),
  metadata: z.object({ name: z.string().min(1) }).passthrough(),
  spec: z.strictObject({
    secretTargetRef: z.array(
      z.strictObject({
        parameter: z.enum(['password', 'username', 'connection']),
        name: z.string(),
        key: z.string(),
      }),
    ),
  }),
});

const rendered = {} as Record<Overlay | 'base', K8sObject[]>;

beforeAll(async () => {
  for (const name of ['base', ...overlays] as const) {
    const dir = name === 'base' ? 'deploy/k8s/base' : `deploy/k8s/overlays/${name}`;
    const { objects } = await kustomize(dir);
    rendered[name] = objects;
  }
});

describe.each(['base', ...overlays] as const)('kubectl kustomize %s', (name) => {
  it('renders, and every object validates against the Kubernetes (or KEDA) schema', async () => {
    const objects = rendered[name];
    const lines: string[] = [];
    for (const object of objects) {
      const id = `${object.apiVersion} ${object.kind} ${object.metadata.name}`;
      if (object.apiVersion.startsWith('keda.sh/')) {
        const schema = object.kind === 'ScaledObject' ? scaledObjectSchema : triggerAuthenticationSchema;
        const parsed = schema.safeParse(object);
        expect(parsed.success, `${id}: ${parsed.error?.message}`).toBe(true);
        lines.push(`ok   ${id} (KEDA shape, checked by tests/deploy)`);
        continue;
      }
      const Model = await modelFor(object.apiVersion, object.kind);
      expect(Model, `no kubernetes-models class for ${id}`).toBeDefined();
      expect(() => new Model!(object).validate(), id).not.toThrow();
      lines.push(`ok   ${id}`);
    }
    report(`kubectl kustomize ${name} | kubernetes-models validate()`, lines.join('\n'));
    expect(objects.length).toBeGreaterThan(5);
  });
});

describe('the validator is not vacuous', () => {
  it('kubernetes-models rejects a Deployment with a wrongly typed field', async () => {
    const api = find(rendered.prod, 'Deployment', 'cloud-images-api')!;
    const broken = structuredClone(api);
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    const Model = await modelFor('apps/v1', 'Deployment');
    expect(() => new Model!(broken).validate()).toThrow(/containerPort/);
  });
});

describe('base', () => {
  it('applies without KEDA: no keda.sh objects outside the prod-keda overlay', () => {
    for (const name of ['base', 'dev', 'prod'] as const) {
      expect(
        rendered[name].filter((o) => o.apiVersion.startsWith('keda.sh/')),
        name,
      ).toEqual([]);
    }
  });

  it('holds the objects the issue asks for', () => {
    const kinds = rendered.base.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`);
    expect(kinds.sort()).toEqual(
      [
        'ConfigMap/cloud-images-api-config',
        'ConfigMap/cloud-images-config',
        'ConfigMap/cloud-images-worker-config',
        'Deployment/cloud-images-api',
        'Deployment/cloud-images-worker',
        'HorizontalPodAutoscaler/cloud-images-api',
        'Job/cloud-images-migrate',
        'NetworkPolicy/cloud-images-api',
        'NetworkPolicy/cloud-images-worker',
        'PodDisruptionBudget/cloud-images-api',
        'PodDisruptionBudget/cloud-images-worker',
        'Secret/cloud-images-secrets',
        'Secret/cloud-images-tenant-secret-key',
        'Service/cloud-images-api',
      ].sort(),
    );
  });
});

describe.each(overlays)('overlay %s', (name) => {
  const objects = () => rendered[name];
  const deployment = (n: string) => find(objects(), 'Deployment', n)!;
  const config = (n: string) => findGenerated(objects(), 'ConfigMap', n)?.data ?? {};

  it('admits the tenant port from anywhere and the ops ports only from the monitoring namespace', () => {
    const monitoring = [
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ];
    const api = find(objects(), 'NetworkPolicy', 'cloud-images-api')!;
    expect(api.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'cloud-images-api' });
    expect(api.spec.ingress).toEqual([
      { ports: [{ port: 'http', protocol: 'TCP' }] },
      { from: monitoring, ports: [{ port: 'ops', protocol: 'TCP' }] },
    ]);
    const worker = find(objects(), 'NetworkPolicy', 'cloud-images-worker')!;
    expect(worker.spec.ingress).toEqual([{ from: monitoring, ports: [{ port: 'health', protocol: 'TCP' }] }]);
    // Prometheus scrapes the ops listeners, where /metrics lives.
    const annotations = (n: string) => deployment(n).spec.template.metadata.annotations;
    expect(annotations('cloud-images-api')['prometheus.io/port']).toBe(
      config('cloud-images-api-config').OPS_PORT,
    );
    expect(annotations('cloud-images-worker')['prometheus.io/port']).toBe(
      config('cloud-images-worker-config').HEALTH_PORT,
    );
  });

  it('gives the api and worker resources, probes, preStop and a grace period longer than their shutdown', () => {
    const cases = [
      { name: 'cloud-images-api', config: 'cloud-images-api-config', portKey: 'OPS_PORT', portName: 'ops' },
      {
        name: 'cloud-images-worker',
        config: 'cloud-images-worker-config',
        portKey: 'HEALTH_PORT',
        portName: 'health',
      },
    ];
    for (const c of cases) {
      const pod = deployment(c.name).spec.template.spec;
      const container = pod.containers[0];
      expect(container.resources.requests, c.name).toMatchObject({
        cpu: expect.any(String),
        memory: expect.any(String),
      });
      expect(container.resources.limits, c.name).toMatchObject({
        cpu: expect.any(String),
        memory: expect.any(String),
      });
      expect(container.livenessProbe.httpGet, c.name).toEqual({ path: '/healthz', port: c.portName });
      expect(container.readinessProbe.httpGet, c.name).toEqual({ path: '/readyz', port: c.portName });
      // The probes' named port is the ops listener (OPS_PORT / HEALTH_PORT in its ConfigMap), not the tenant port.
      const port = container.ports.find((p: { name: string }) => p.name === c.portName);
      expect(String(port.containerPort), c.name).toBe(config(c.config)[c.portKey]);
      const preStop: string[] = container.lifecycle.preStop.exec.command;
      expect(preStop[0], c.name).toBe('sleep');
      const shutdownSeconds = Number(config(c.config).SHUTDOWN_TIMEOUT_MS) / 1000;
      expect(pod.terminationGracePeriodSeconds, c.name).toBeGreaterThan(Number(preStop[1]) + shutdownSeconds);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
      });
    }
    const api = deployment('cloud-images-api').spec.template.spec.containers[0];
    const http = api.ports.find((p: { name: string }) => p.name === 'http');
    expect(String(http.containerPort)).toBe(config('cloud-images-api-config').PORT);
    expect(config('cloud-images-api-config').OPS_PORT).not.toBe(config('cloud-images-api-config').PORT);
    // Long streams: the worker may finish a running import for minutes after SIGTERM.
    if (name !== 'dev') {
      expect(
        deployment('cloud-images-worker').spec.template.spec.terminationGracePeriodSeconds,
      ).toBeGreaterThanOrEqual(300);
    }
  });

  it('wires the Service, PDBs, HPA and migration Job to the right pods and image', () => {
    const apiLabels = deployment('cloud-images-api').spec.template.metadata.labels;
    const service = find(objects(), 'Service', 'cloud-images-api')!;
    expect(apiLabels).toMatchObject(service.spec.selector);
    expect(service.spec.ports[0].targetPort).toBe('http');
    for (const n of ['cloud-images-api', 'cloud-images-worker']) {
      const pdb = find(objects(), 'PodDisruptionBudget', n)!;
      expect(deployment(n).spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    }
    const hpa = find(objects(), 'HorizontalPodAutoscaler', 'cloud-images-api')!;
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'cloud-images-api',
    });
    expect(
      deployment('cloud-images-api').spec.replicas,
      'the HPA owns the api replica count',
    ).toBeUndefined();
    const job = find(objects(), 'Job', 'cloud-images-migrate')!;
    const jobContainer = job.spec.template.spec.containers[0];
    expect(jobContainer.image).toBe(deployment('cloud-images-api').spec.template.spec.containers[0].image);
    expect(jobContainer.command).toEqual([
      'node',
      'node_modules/@cloud-images/shared/dist/db/migrate-cli.js',
    ]);
  });

  it('references only ConfigMaps it renders (and the Secrets, rendered or created out of band)', () => {
    const names = new Set(objects().map((o) => `${o.kind}/${o.metadata.name}`));
    const refs = JSON.stringify(objects()).matchAll(
      /"(configMapRef|configMapKeyRef|configMap)":\{[^}]*?"name":"([^"]+)"/g,
    );
    for (const [, , ref] of refs) expect(names.has(`ConfigMap/${ref}`), ref).toBe(true);
    for (const secretName of ['cloud-images-secrets', 'cloud-images-tenant-secret-key']) {
      const secret = find(objects(), 'Secret', secretName);
      if (name === 'dev') expect(secret, secretName).toBeDefined();
      else
        expect(secret, `prod must not render the ${secretName} template over the real one`).toBeUndefined();
    }
  });

  it("lets a release apply the settings and the migration Job alone (-l 'component in (config,migrate)')", () => {
    const selected = objects().filter((o) =>
      ['config', 'migrate'].includes(o.metadata.labels?.['app.kubernetes.io/component'] ?? ''),
    );
    const job = find(selected, 'Job', 'cloud-images-migrate');
    expect(job).toBeDefined();
    const selectedNames = new Set(selected.map((o) => `${o.kind}/${o.metadata.name}`));
    for (const [, ref] of JSON.stringify(job).matchAll(/"configMapKeyRef":\{[^}]*?"name":"([^"]+)"/g)) {
      expect(selectedNames.has(`ConfigMap/${ref}`), ref).toBe(true);
    }
  });

  it('pins app images per overlay', () => {
    const images = objects()
      .filter((o) => o.kind === 'Deployment' && o.metadata.name.startsWith('cloud-images-'))
      .map((o) => o.spec.template.spec.containers[0].image as string);
    for (const image of images) expect(image).toMatch(/:[\w.-]+$/);
  });
});

/** The ScaledObject's trigger, as KEDA reads it. */
function kedaTrigger(objects: K8sObject[]) {
  const scaledObject = scaledObjectSchema.parse(find(objects, 'ScaledObject', 'cloud-images-worker'));
  expect(scaledObject.spec.triggers).toHaveLength(1);
  return { scaledObject, trigger: scaledObject.spec.triggers[0]! };
}

/**
 * The figures the query and the target must carry, from the config the pods get: the rendered ConfigMaps, or,
 * for a key they do not set, the service schema's own default (what the pods would then run with).
 */
function expectedFigures(objects: K8sObject[]) {
  const shared = findGenerated(objects, 'ConfigMap', 'cloud-images-config')?.data ?? {};
  const worker = findGenerated(objects, 'ConfigMap', 'cloud-images-worker-config')?.data ?? {};
  const defaults = tenantLimitDefaultsConfig.parse({});
  return {
    defaultMaxActive:
      shared.TENANT_DEFAULT_MAX_ACTIVE_TASKS ?? String(defaults.TENANT_DEFAULT_MAX_ACTIVE_TASKS),
    workerConcurrency:
      worker.WORKER_CONCURRENCY ?? String(workerConfigSchema.shape.WORKER_CONCURRENCY.parse(undefined)),
  };
}

/** The cap the query applies to a tenant whose max_active_tasks is null (the deployment default). */
function queryDefaultCap(query: string): string | undefined {
  return /coalesce\(t\.max_active_tasks,\s*\/\*TENANT_DEFAULT_MAX_ACTIVE_TASKS\*\/(\d+)\/\*TENANT_DEFAULT_MAX_ACTIVE_TASKS\*\/\)/.exec(
    query,
  )?.[1];
}

describe('KEDA ScaledObject (components/keda, overlay prod-keda)', () => {
  it('scales on the runnable work in Postgres (pending + processing, capped per tenant), not a BullMQ list', () => {
    const objects = rendered['prod-keda'];
    const { scaledObject, trigger } = kedaTrigger(objects);
    expect(trigger.metadata.query).toMatch(/FROM tasks WHERE status IN \('pending', 'processing'\)/);
    expect(trigger.metadata.query).toMatch(/least\(w\.n, coalesce\(t\.max_active_tasks,/);
    expect(find(objects, 'Deployment', scaledObject.spec.scaleTargetRef.name)).toBeDefined();
    expect(
      find(objects, 'Deployment', 'cloud-images-worker')?.spec.replicas,
      'KEDA owns the count',
    ).toBeUndefined();
    const auth = triggerAuthenticationSchema.parse(
      find(objects, 'TriggerAuthentication', trigger.authenticationRef.name),
    );
    expect(auth.spec.secretTargetRef.map((r) => r.parameter)).toEqual(['connection']);
  });

  it("caps each tenant at the deployment's TENANT_DEFAULT_MAX_ACTIVE_TASKS and targets WORKER_CONCURRENCY per replica", () => {
    const objects = rendered['prod-keda'];
    const { trigger } = kedaTrigger(objects);
    const expected = expectedFigures(objects);
    report(
      'KEDA figures (rendered prod-keda)',
      `query default cap ${queryDefaultCap(trigger.metadata.query)} (TENANT_DEFAULT_MAX_ACTIVE_TASKS ${expected.defaultMaxActive}); ` +
        `targetQueryValue ${trigger.metadata.targetQueryValue} (WORKER_CONCURRENCY ${expected.workerConcurrency})`,
    );
    expect(queryDefaultCap(trigger.metadata.query)).toBe(expected.defaultMaxActive);
    expect(trigger.metadata.targetQueryValue).toBe(expected.workerConcurrency);
  });

  it('follows an overlay that changes TENANT_DEFAULT_MAX_ACTIVE_TASKS and WORKER_CONCURRENCY (no literal to drift)', async () => {
    // An operator's overlay: prod with KEDA, other limits. Outside the repo, so kustomize needs the load restrictor off.
    const dir = await mkdtemp(join(tmpdir(), 'keda-overlay-'));
    try {
      const rel = (path: string) => relative(dir, repoPath(path));
      await writeFile(
        join(dir, 'kustomization.yaml'),
        [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          `resources: [${rel('deploy/k8s/overlays/prod')}]`,
          `components: [${rel('deploy/k8s/components/keda')}]`,
          'configMapGenerator:',
          '  - { name: cloud-images-config, behavior: merge, literals: [TENANT_DEFAULT_MAX_ACTIVE_TASKS=7] }',
          '  - { name: cloud-images-worker-config, behavior: merge, literals: [WORKER_CONCURRENCY=5] }',
          '',
        ].join('\n'),
      );
      const result = await run('kubectl', ['kustomize', '--load-restrictor=LoadRestrictionsNone', dir], {
        timeoutMs: 60_000,
      });
      expect(result.code, result.stderr).toBe(0);
      const objects = parseAllDocuments(result.stdout)
        .map((doc) => doc.toJS() as K8sObject | null)
        .filter((o): o is K8sObject => o !== null);
      const { trigger } = kedaTrigger(objects);
      expect(expectedFigures(objects)).toEqual({ defaultMaxActive: '7', workerConcurrency: '5' });
      expect(queryDefaultCap(trigger.metadata.query)).toBe('7');
      expect(trigger.metadata.targetQueryValue).toBe('5');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

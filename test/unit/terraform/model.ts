// The module's inputs as the root passes them for one environment (the root's HCL evaluated with
// that environment's tfvars), and the values of the module's non-trivial locals for those inputs
// (their HCL is pinned by a test in iam.test.ts, so this mirror cannot drift silently).
import {
  type EvalContext,
  type Environment,
  type Hcl,
  evalValue,
  localsOf,
  moduleDir,
  parseAttributes,
  parseDir,
  rootDir,
  tfvarsPath,
  variableDefaults,
} from './hcl.js';

export const ACCOUNT = '123456789012';
export const PARTITION = 'aws';

/** Values for the root's network variables (what an operator adds to the environment's tfvars). */
export const ROOT_INPUTS: Record<string, unknown> = {
  vpc_id: 'vpc-0123456789abcdef0',
  subnet_ids: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
  route_table_ids: ['rtb-0123456789abcdef0'],
};

export interface EnvModel {
  env: Environment;
  rootDoc: Hcl;
  moduleDoc: Hcl;
  /** The environment's <env>.tfvars as written. */
  tfvars: Record<string, unknown>;
  /** Module arguments of the root, evaluated for this environment. */
  args: Record<string, unknown>;
  /** Module variables: defaults overlaid with the root's arguments. */
  vars: Record<string, unknown>;
  ctx: EvalContext;
}

export async function loadModule(): Promise<Hcl> {
  return parseDir(moduleDir);
}

/** The root's variables for one environment, as `terraform plan -var-file=<env>.tfvars` sees them. */
export function rootVariables(rootDoc: Hcl, tfvars: Record<string, unknown>, env: string): Record<string, unknown> {
  const declared = variableDefaults(rootDoc);
  for (const k of Object.keys(tfvars)) if (!(k in declared)) throw new Error(`${env}.tfvars: ${k} is not a root variable`);
  const vars = { ...declared, ...ROOT_INPUTS, ...tfvars };
  const unset = Object.keys(vars).filter((k) => vars[k] === undefined);
  if (unset.length > 0) throw new Error(`${env}: no value for the required root variables ${unset.join(', ')}`);
  return vars;
}

export async function envModel(env: Environment, overrides: Record<string, unknown> = {}): Promise<EnvModel> {
  const rootDoc = await parseDir(rootDir);
  const tfvars = await parseAttributes(tfvarsPath(env));
  const moduleDoc = await loadModule();
  const rootVars = rootVariables(rootDoc, tfvars, env);
  const rootCtx: EvalContext = { vars: rootVars, locals: localsOf(rootDoc), computed: {} };
  const call = rootDoc.module?.s3_direct_sync?.[0];
  if (!call) throw new Error('root: no module "s3_direct_sync"');
  const declared = variableDefaults(moduleDoc);
  const args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(call as Record<string, unknown>)) {
    if (k === 'source') continue;
    if (!(k in declared)) throw new Error(`root: argument ${k} is not a module variable`);
    args[k] = evalValue(v, rootCtx);
  }
  const vars = { ...declared, ...args, ...overrides };
  const region = String(rootVars.aws_region);
  return {
    env,
    rootDoc,
    moduleDoc,
    tfvars,
    args,
    vars,
    ctx: { vars, locals: localsOf(moduleDoc), computed: computeLocals(vars, region) },
  };
}

export function computeLocals(v: Record<string, unknown>, region: string): Record<string, unknown> {
  const name = `${v.name_prefix}-${v.environment}`;
  const sourcePrefixes = v.source_prefixes as string[];
  const destinationKms = v.destination_encryption === 'aws:kms';
  const createDestinationKey = Boolean(v.manage_destination_bucket) && destinationKms && v.destination_kms_key_arn == null;
  const createCluster = v.existing_cluster_arn == null;
  return {
    name,
    partition: PARTITION,
    account_id: ACCOUNT,
    region,
    source_key_prefixes: sourcePrefixes.length === 0 ? [v.source_root] : sourcePrefixes.map((p) => `${v.source_root}${p}`),
    destination_region: v.destination_region ?? region,
    destination_kms: destinationKms,
    create_destination_key: createDestinationKey,
    destination_kms_key_arn: v.destination_kms_key_arn ?? (createDestinationKey ? '<aws_kms_key.destination.arn>' : null),
    runtime_secret_arns: [v.destination_credentials_secret_arn, v.config_secret_arn].filter((x) => x != null),
    injected_secret_arns: [...new Set(Object.values(v.injected_secrets as Record<string, string>))],
    cluster_name: createCluster ? name : String(v.existing_cluster_arn).split('/')[1],
    cluster_arn: createCluster ? '<aws_ecs_cluster.this.arn>' : v.existing_cluster_arn,
    metrics_mode_dimension: v.metrics_mode_dimension ?? v.sync_mode,
    destination_allowed_vpce_ids: [
      ...new Set([...(v.destination_allowed_vpce_ids as string[]), ...(v.create_s3_gateway_endpoint ? ['<aws_vpc_endpoint.s3.id>'] : [])]),
    ],
  };
}

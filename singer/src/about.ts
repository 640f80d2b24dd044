import { envVarName, type PluginInfo } from './settings.js';

/** `--about --format json`, shaped like the Meltano SDK's so Meltano and the Hub can read it. */
export function aboutJson(info: PluginInfo): string {
  const properties = Object.fromEntries(
    info.settings.map((s) => [
      s.name,
      {
        type: jsonType(s.kind),
        description: s.description,
        ...(s.sensitive ? { secret: true, writeOnly: true } : {}),
        ...(s.default !== undefined ? { default: s.default } : {}),
        ...(s.options ? { enum: s.options } : {}),
      },
    ]),
  );
  return JSON.stringify(
    {
      name: info.name,
      description: info.description,
      version: info.version,
      capabilities: info.capabilities,
      env_var_prefix: info.envPrefix,
      supported_node_versions: ['>=20.19'],
      settings: {
        type: 'object',
        properties,
        required: info.settings.filter((s) => s.required).map((s) => s.name),
      },
    },
    null,
    2,
  );
}

function jsonType(kind: string): string {
  if (kind === 'date_iso8601' || kind === 'options') return 'string';
  return kind;
}

/** `--about --format markdown`: the settings table that the README embeds. */
export function aboutMarkdown(info: PluginInfo): string {
  const rows = info.settings.map((s) => {
    const dflt = s.default === undefined ? '' : `\`${JSON.stringify(s.default)}\``;
    const flags = [s.required ? 'required' : '', s.sensitive ? 'secret' : ''].filter(Boolean).join(', ');
    return `| \`${s.name}\` | ${s.kind}${flags ? ` (${flags})` : ''} | ${dflt} | \`${envVarName(info, s)}\` | ${s.description} |`;
  });
  return [
    `# ${info.name} ${info.version}`,
    '',
    info.description,
    '',
    `Capabilities: ${info.capabilities.join(', ')}.`,
    '',
    '| Setting | Type | Default | Env var | Description |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

// The data of the README tour's screenshots (tour-steps.mjs): the loopback provider stand-ins and
// the text they stream, and the providers, model configs, GPU host and training run that the tour
// creates through the server's API before the UI shows them.
/* global fetch, FormData */
import { Blob } from 'node:buffer';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { FAKE_PROVIDERS_BUNDLE } from './build.mjs';

/** The chat question and the reasoning and answer that the DeepSeek stand-in streams for it. */
export const CHAT = {
  question: 'Why is the sky blue?',
  reasoning: [
    'The user asks about the colour of the sky. ',
    'That is Rayleigh scattering: air molecules scatter light with an intensity ',
    'proportional to 1/λ⁴, so blue light (about 450 nm) scatters roughly four times more ',
    'than red light (about 700 nm). Violet scatters even more, but sunlight has less of it ',
    'and our eyes are less sensitive to it. Keep the answer short.',
  ],
  answer: [
    'The sky looks blue because of **Rayleigh scattering**. ',
    'Molecules in the air scatter short wavelengths much more strongly than long ones, ',
    'roughly in proportion to 1/λ⁴.\n\n',
    '- Blue light is scattered in every direction, so it reaches your eyes from all over the sky.\n',
    '- Red and yellow light mostly pass straight through, which is why sunsets, ',
    'seen through more air, look orange.',
  ],
  usage: { promptTokens: 18, completionTokens: 142, reasoningTokens: 71 },
};

/** The comparison prompt, its variable and the text each stand-in streams for it. */
export const COMPARE = {
  prompt: 'Explain {{topic}} to a new colleague in two sentences.',
  topic: 'LoRA fine-tuning',
  deepseek: {
    reasoning: [
      'Two sentences for a newcomer: say what is frozen, ',
      'what is trained, and why it is cheaper.',
    ],
    content: [
      'LoRA keeps the weights of the base model frozen and trains small low-rank matrices ',
      'that are added to some of its layers. ',
      'Because only those few million parameters change, ',
      'a fine-tune fits on one GPU and the adapter is a file of a few megabytes.',
    ],
    usage: { promptTokens: 21, completionTokens: 96, reasoningTokens: 24 },
  },
  claude: {
    pieces: [
      'LoRA (low-rank adaptation) fine-tunes a model by learning a small correction ',
      'for each chosen weight matrix instead of changing the matrix itself. ',
      'You train and ship only that correction, so it is fast, cheap and easy to swap.',
    ],
    usage: { promptTokens: 24, completionTokens: 48 },
  },
  llama: {
    content: [
      'LoRA adds tiny trainable matrices next to a frozen model. ',
      'Training them teaches the model a new task with a fraction of the memory.',
    ],
    usage: { promptTokens: 30, completionTokens: 31 },
  },
};

/** The model configs the tour adds, with prices in dollars per million tokens for the usage. */
export const MODEL_CONFIGS = [
  {
    provider: 'DeepSeek',
    modelId: 'deepseek-reasoner',
    displayName: 'DeepSeek Reasoner',
    priceInputPerMTok: 0.55,
    priceOutputPerMTok: 2.19,
  },
  {
    provider: 'Anthropic',
    modelId: 'claude-sonnet-4-5-20250929',
    displayName: 'Claude Sonnet 4.5',
    priceInputPerMTok: 3,
    priceOutputPerMTok: 15,
  },
  {
    provider: 'Ollama',
    modelId: 'llama3.2:latest',
    displayName: 'Llama 3.2',
    priceInputPerMTok: 0,
    priceOutputPerMTok: 0,
  },
];

/**
 * The training run: 24 records, batch 2 and 4 epochs give 48 steps, each logged, with a cosine
 * schedule after a 10 % warm-up, so both curves have a visible shape.
 */
const TRAINING_PARAMETERS = {
  learningRate: 0.01,
  epochs: 4,
  batchSize: 2,
  gradientAccumulation: 1,
  loggingSteps: 1,
  saveSteps: 1000,
  warmupRatio: 0.1,
  scheduler: 'cosine',
  template: 'qwen',
};

/** Returns a client of the server's JSON API that sends `token` and throws on an error status. */
function apiClient(serverUrl, token) {
  const call = async (method, route, body) => {
    const response = await fetch(new URL(route, serverUrl), {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined || body instanceof FormData
          ? {}
          : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined
        ? {}
        : { body: body instanceof FormData ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`${method} ${route} failed with ${response.status}: ${text}`);
    }
    return text === '' ? {} : JSON.parse(text);
  };
  return call;
}

async function signInToApi(server) {
  const response = await fetch(new URL('/api/auth/login', server.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: server.login, password: server.password }),
  });
  const body = await response.json();
  if (!response.ok) {
    throw new Error(
      `Signing in to the API failed with ${response.status}: ${JSON.stringify(body)}`,
    );
  }
  return body.accessToken;
}

/**
 * Starts `scripts/with-sshd.sh --hold`, a throwaway OpenSSH server on 127.0.0.1, and resolves with
 * its address, the client key and `close()`, which closes the script's standard input so that it
 * stops the server.
 */
async function startSshd(root) {
  const child = spawn('bash', [path.join(root, 'scripts/with-sshd.sh'), '--hold'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stderr = [];
  child.stderr.on('data', (chunk) => stderr.push(chunk.toString('utf8')));
  const values = {};
  for await (const line of readline.createInterface({ input: child.stdout })) {
    if (line === 'ready') {
      break;
    }
    const separator = line.indexOf('=');
    values[line.slice(0, separator)] = line.slice(separator + 1);
  }
  if (values.TEST_SSH_PORT === undefined) {
    throw new Error(`scripts/with-sshd.sh did not start sshd: ${stderr.join('')}`);
  }
  return {
    port: Number(values.TEST_SSH_PORT),
    user: values.TEST_SSH_USER,
    privateKey: fs.readFileSync(values.TEST_SSH_KEY_FILE, 'utf8'),
    dir: values.TEST_SSH_DIR,
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/**
 * Signs in to the API as the test admin and starts the provider stand-ins on 127.0.0.1: an
 * OpenAI-compatible one with DeepSeek's models that streams reasoning, Anthropic and Ollama.
 * Resolves with the state the tour steps share and `close()`, which stops the stand-ins and the
 * sshd that the training step starts.
 */
export async function startTour({ root, workspace, server }) {
  const api = apiClient(server.url, await signInToApi(server));
  const fakes = createRequire(import.meta.url)(FAKE_PROVIDERS_BUNDLE);
  const stoppable = [];
  try {
    const deepseek = await fakes.startFakeOpenAiServer({
      profile: 'deepseek',
      models: [
        { id: 'deepseek-chat', object: 'model', owned_by: 'deepseek' },
        { id: 'deepseek-reasoner', object: 'model', owned_by: 'deepseek' },
      ],
    });
    stoppable.push(deepseek);
    const anthropic = await fakes.startFakeAnthropicServer();
    stoppable.push(anthropic);
    const ollama = await fakes.startFakeOllamaServer({ chunkIntervalMs: 40 });
    stoppable.push(ollama);
    const tour = {
      api,
      root,
      workspace,
      server,
      fakes: { DeepSeek: deepseek, Anthropic: anthropic, Ollama: ollama },
      /** Model configs by display name, which the providers step creates. */
      configs: new Map(),
      /** The loopback sshd, which the training step starts. */
      sshd: undefined,
      close: async () => {
        await Promise.all(stoppable.map((fake) => fake.close()));
        await tour.sshd?.close();
      },
    };
    return tour;
  } catch (error) {
    await Promise.all(stoppable.map((fake) => fake.close()));
    throw error;
  }
}

/** Adds the three providers on the stand-ins, syncs and tests them, and adds a config for each. */
export async function addProvidersAndConfigs(tour) {
  const kinds = { DeepSeek: 'openai-compatible', Anthropic: 'anthropic', Ollama: 'ollama' };
  const providers = new Map();
  for (const [name, fake] of Object.entries(tour.fakes)) {
    const { provider } = await tour.api('POST', '/api/providers', {
      kind: kinds[name],
      name,
      baseUrl: fake.baseUrl,
      ...(fake.apiKey === '' ? {} : { apiKey: fake.apiKey }),
    });
    await tour.api('POST', `/api/providers/${provider.id}/sync-models`);
    await tour.api('POST', `/api/providers/${provider.id}/test`);
    providers.set(name, provider);
  }
  for (const { provider, ...config } of MODEL_CONFIGS) {
    const { modelConfig } = await tour.api('POST', '/api/model-configs', {
      providerId: providers.get(provider).id,
      ...config,
    });
    tour.configs.set(config.displayName, modelConfig);
  }
}

/**
 * Starts the loopback sshd, adds it as a GPU host with its host key pinned, uploads the Alpaca
 * excerpt, and creates and starts a training task on them. Resolves with the task.
 */
export async function startTrainingRun(tour) {
  tour.sshd = await startSshd(tour.root);
  const { sshd, api } = tour;
  const standIn = path.join(tour.root, 'server/src/testing/llamafactory-stand-in');
  const { gpuHost } = await api('POST', '/api/gpu-hosts', {
    name: 'loopback-gpu',
    host: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    privateKey: sshd.privateKey,
    workDir: path.join(sshd.dir, 'work'),
    setupCommand: `export PATH='${standIn}':"$PATH"`,
    maxConcurrentRuns: 1,
  });
  const { fingerprint } = await api('POST', `/api/gpu-hosts/${gpuHost.id}/host-key`, {});
  await api('POST', `/api/gpu-hosts/${gpuHost.id}/host-key`, { confirmFingerprint: fingerprint });

  const fixture = path.join(tour.root, 'server/src/testing/fixtures/alpaca_en_demo.excerpt.json');
  const form = new FormData();
  form.append('file', new Blob([fs.readFileSync(fixture)]), path.basename(fixture));
  form.append('name', 'Alpaca demo');
  const { dataset } = await api('POST', '/api/datasets', form);

  const { task } = await api('POST', '/api/training/tasks', {
    name: 'qwen-alpaca-lora',
    baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
    datasetId: dataset.id,
    gpuHostId: gpuHost.id,
    parameters: TRAINING_PARAMETERS,
  });
  await api('POST', `/api/training/tasks/${task.id}/start`);
  return task;
}

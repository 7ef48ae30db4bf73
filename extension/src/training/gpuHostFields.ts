// Checks of the GPU host form's fields, the same rules the server's /api/gpu-hosts schema applies,
// so a typo is caught on the step where it was typed.
import net from 'node:net';
import type { FieldCheck } from '../commands/providerFields.js';

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;

function error(message: string): FieldCheck {
  return { severity: 'error', message };
}

function singleLine(value: string, max: number, subject: string): FieldCheck | undefined {
  const trimmed = value.trim();
  if (trimmed === '') {
    return error(`Enter ${subject}.`);
  }
  if (trimmed.length > max) {
    return error(
      `${subject[0]?.toUpperCase()}${subject.slice(1)} must be at most ${max} characters.`,
    );
  }
  return undefined;
}

export function checkHostName(value: string): FieldCheck | undefined {
  return singleLine(value, 64, 'a name for the host');
}

export function checkAddress(value: string): FieldCheck | undefined {
  const trimmed = value.trim();
  if (trimmed === '') {
    return error('Enter the host name or IP address, such as gpu-01.example.com.');
  }
  if (net.isIP(trimmed) !== 0 || (HOST_NAME.test(trimmed) && !/^[\d.]+$/.test(trimmed))) {
    return undefined;
  }
  return error(
    `${JSON.stringify(trimmed)} is not a host name or IP address; enter one such as gpu-01.example.com.`,
  );
}

export function checkPort(value: string): FieldCheck | undefined {
  const port = Number(value.trim());
  if (!/^\d{1,5}$/.test(value.trim()) || port < 1 || port > 65535) {
    return error('Enter a port number from 1 to 65535; SSH listens on 22 unless set otherwise.');
  }
  return undefined;
}

export function checkUser(value: string): FieldCheck | undefined {
  if (!USER_NAME.test(value.trim())) {
    return error('Enter a user name of letters, digits, _, . and -, such as ubuntu.');
  }
  return undefined;
}

export function checkWorkDir(value: string): FieldCheck | undefined {
  const trimmed = value.trim();
  if (trimmed.startsWith('~')) {
    return error(
      'The server does not expand ~; use a path relative to the home directory (models instead ' +
        'of ~/models) or an absolute path.',
    );
  }
  return singleLine(trimmed, 400, 'a work directory');
}

export function checkMaxRuns(value: string): FieldCheck | undefined {
  const runs = Number(value.trim());
  if (!/^\d{1,2}$/.test(value.trim()) || runs < 1 || runs > 64) {
    return error('Enter a whole number from 1 to 64: the runs the host may run at once.');
  }
  return undefined;
}

import { z } from 'zod';
import { isSingleLine, isWellFormedUnicode } from '../validation/requestText.js';
import { MAX_PASSWORD_BYTES } from './passwords.js';

/** The length of the email and audit login columns; lowercasing can make text longer. */
const MAX_LOGIN_CHARACTERS = 254;

export const emailSchema = z
  .string()
  .trim()
  .max(MAX_LOGIN_CHARACTERS, `must be at most ${MAX_LOGIN_CHARACTERS} characters`)
  .pipe(z.email('must be an email address such as ada@example.com'))
  .transform((email) => email.toLowerCase())
  .refine(
    (email) => email.length <= MAX_LOGIN_CHARACTERS,
    `must be at most ${MAX_LOGIN_CHARACTERS} characters in lowercase`,
  );

export const nicknameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{2,32}$/, 'must be 2 to 32 characters of ASCII letters, digits, _ or -');

/**
 * bcrypt ignores bytes past 72, so longer passwords are rejected rather than cut silently. An
 * unpaired surrogate would reach bcrypt as U+FFFD, so such passwords are rejected too.
 */
export const newPasswordSchema = z
  .string()
  .refine((password) => [...password].length >= 8, 'must be at least 8 characters')
  .refine(
    (password) => Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES,
    `must be at most ${MAX_PASSWORD_BYTES} bytes in UTF-8`,
  )
  .refine(isWellFormedUnicode, 'must be well-formed Unicode, without unpaired surrogates');

export const tokenDeliverySchema = z.enum(['cookie', 'body']);

export const registerBody = z
  .object({
    email: emailSchema,
    nickname: nicknameSchema,
    password: newPasswordSchema,
  })
  .strict();

export const loginBody = z
  .object({
    // The login is lowercased to look up the account and to key the rate limit, so its length
    // is checked again in lowercase: "İ" becomes two characters.
    login: z
      .string()
      .trim()
      .min(1, 'must be your email or nickname')
      .max(MAX_LOGIN_CHARACTERS, `must be at most ${MAX_LOGIN_CHARACTERS} characters`)
      .refine(
        (login) => login.toLowerCase().length <= MAX_LOGIN_CHARACTERS,
        `must be at most ${MAX_LOGIN_CHARACTERS} characters in lowercase`,
      )
      .refine(isSingleLine, 'must not contain tabs or line breaks'),
    password: z.string().min(1, 'must not be empty').max(1024),
    tokenDelivery: tokenDeliverySchema.optional(),
  })
  .strict();

export const refreshBody = z
  .object({
    refreshToken: z.string().min(1).max(512).optional(),
    tokenDelivery: tokenDeliverySchema.optional(),
  })
  .strict();

export const logoutBody = z
  .object({
    refreshToken: z.string().min(1).max(512).optional(),
  })
  .strict();

export const changePasswordBody = z
  .object({
    currentPassword: z.string().min(1, 'must not be empty').max(1024),
    newPassword: newPasswordSchema,
  })
  .strict();

const userSchema = z.object({
  id: z.number().int(),
  email: z.string(),
  nickname: z.string(),
  role: z.enum(['user', 'admin']),
  isActive: z.boolean(),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
});

export const userResponse = z.object({ user: userSchema });

export const tokenResponse = z.object({
  accessToken: z.string(),
  expiresIn: z.number().int(),
  user: userSchema,
  refreshToken: z.string().optional(),
});

export { userSchema };

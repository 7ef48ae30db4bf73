/** A user's role: admins manage users and shared resources. */
export type Role = 'user' | 'admin';

export const ROLES: readonly Role[] = ['user', 'admin'];

/** A user as the API returns it. */
export interface ApiUser {
  id: number;
  email: string;
  nickname: string;
  role: Role;
  isActive: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

/** The body of `POST /api/auth/login` and `POST /api/auth/refresh` responses. */
export interface TokenResponse {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: ApiUser;
  /** Present only when the request asked for body delivery. */
  refreshToken?: string;
}

/** The error body every failed API request returns. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

// Login-name checks for the built-in methods: names that could escape a path template or a password file are refused.

const SAFE_CHARACTERS = /^[A-Za-z0-9._@+-]+$/;
const MAX_LENGTH = 256;

/**
 * Why `username` must not be used in a file path or looked up in a `username:hash` file, or undefined when it is
 * safe. Allowed: letters, digits and `. _ @ + -`, at most 256 characters, not starting with "." and without "..".
 */
export function unsafeUsernameReason(username: string): string | undefined {
  if (username === '') return 'the username is empty';
  if (username.length > MAX_LENGTH) return `the username is longer than ${MAX_LENGTH} characters`;
  if (!SAFE_CHARACTERS.test(username)) {
    return 'the username contains characters other than letters, digits and . _ @ + - (such as "/", ":", NUL or spaces)';
  }
  if (username.startsWith('.')) return 'the username starts with "."';
  if (username.includes('..')) return 'the username contains ".."';
  return undefined;
}

import { expect } from 'chai';
import { hashPassword, verifyPassword } from '../../dashboard/index.js';
import { cachedVerifier } from '../../dashboard/passwords.js';
import { parseUsers } from '../../dashboard/usersFile.js';

describe('dashboard passwords and the users file', () => {
  it('hashes with scrypt, its parameters and a salt of its own in the string, and verifies only the password', async () => {
    const [a, b] = await Promise.all([hashPassword('pässword 1'), hashPassword('pässword 1')]);
    expect(a).to.match(/^scrypt\$N=32768,r=8,p=1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a, 'a fresh salt each time').to.not.equal(b);
    expect(await verifyPassword('pässword 1', a)).to.equal(true);
    // The same text in another Unicode normal form is the same password.
    expect(await verifyPassword('pa\u0308ssword 1', a)).to.equal(true);
    expect(await verifyPassword('password 1', a)).to.equal(false);
    expect(await verifyPassword('pässword 1', a.replace('N=32768', 'N=16384'))).to.equal(false);
    expect(await verifyPassword('x', 'plain-text')).to.equal(false);
    expect(await verifyPassword('x', a.replace('N=32768', 'N=1073741824')), 'absurd cost refused').to.equal(
      false,
    );
  });

  it('remembers a recent success only: a wrong password is checked in full every time', async () => {
    const hash = await hashPassword('right-password');
    const verify = cachedVerifier();
    expect(await verify('u', 'right-password', hash)).to.equal(true);
    const started = Date.now();
    expect(await verify('u', 'right-password', hash)).to.equal(true);
    expect(Date.now() - started).to.be.below(20);
    expect(await verify('u', 'wrong-password', hash)).to.equal(false);
    expect(await verify('u', 'right-password', await hashPassword('changed'))).to.equal(false);
  });

  it('reads name:role:hash lines, skipping comments, and names the line of a bad one', async () => {
    const hash = await hashPassword('x-password');
    const users = parseUsers(`# users\n\nann:viewer:${hash}\nbob:operator:${hash}\n`, 'users');
    expect([...users].map(([n, u]) => [n, u.role])).to.deep.equal([
      ['ann', 'viewer'],
      ['bob', 'operator'],
    ]);
    expect(() => parseUsers(`ann:viewer:${hash}\nbob:admin:${hash}`, 'f')).to.throw(
      /^f line 2: role must be/,
    );
    expect(() => parseUsers(`ann:viewer:secret`, 'f')).to.throw(/line 1: the password is not a scrypt/);
    expect(() => parseUsers(`ann:viewer:${hash}\nann:operator:${hash}`, 'f')).to.throw(/appears twice/);
    expect(() => parseUsers(`a b:viewer:${hash}`, 'f')).to.throw(/bad user name/);
  });
});

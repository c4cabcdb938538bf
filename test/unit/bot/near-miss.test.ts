import { describe, expect, it } from 'vitest';
import { nearestCommand, type Command } from '../../../src/bot/commands.js';

const command = (words: string[], extra: Partial<Command> = {}): Command => ({ words, summary: '', run: async () => {}, ...extra });
const commands = [
  command(['create app']),
  command(['resume']),
  command(['cancel']),
  command(['stop']),
  command(['help']),
  command(['pending'], { adminChat: true }),
  command(['audit'], { adminChat: true, takesArgument: true, usage: 'audit <app>' }),
];

describe('did you mean', () => {
  it('suggests the command a slip most likely meant', () => {
    expect(nearestCommand(commands, 'creat app')).toBe('create app');
    expect(nearestCommand(commands, 'resum')).toBe('resume');
    expect(nearestCommand(commands, 'hlep')).toBe('help');
  });

  it('reads the first words when more follow', () => {
    expect(nearestCommand(commands, 'cancel my registration')).toBe('cancel');
    expect(nearestCommand(commands, 'resume app')).toBe('resume');
  });

  it('takes no short ordinary word for a command', () => {
    for (const word of ['top', 'sto', 'can', 'pen', 'aud']) expect(nearestCommand(commands, word, { direct: false, adminChat: true }), word).toBeUndefined();
  });

  it("suggests the admins' commands in their channel only", () => {
    expect(nearestCommand(commands, 'pendng')).toBeUndefined();
    expect(nearestCommand(commands, 'audi Foo')).toBeUndefined();
    expect(nearestCommand(commands, 'pendng', { direct: false, adminChat: true })).toBe('pending');
    expect(nearestCommand(commands, 'audi Foo', { direct: false, adminChat: true })).toBe('audit <app>');
  });

  it('takes no ordinary word one letter away for a short command', () => {
    const admin = { direct: false, adminChat: true };
    for (const word of ['step', 'shop', 'hell', 'held', 'cancer', 'result', 'assume', 'rescue', 'audio', 'adult', 'comments']) {
      expect(nearestCommand([...commands, command(['commands'])], word, admin), word).toBeUndefined();
    }
    // Slips of the keyboard still count: a letter left out, doubled or swapped.
    for (const [slip, meant] of [['canel', 'cancel'], ['cancle', 'cancel'], ['hepl', 'help'], ['resumee', 'resume'], ['crate app', 'create app'], ['creata pp', 'create app']]) {
      expect(nearestCommand(commands, slip!), slip).toBe(meant);
    }
  });
});

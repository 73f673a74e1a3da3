// Default canned responses, seeded the first time a language's list is read. Admins edit them after.
import { toSerbianLatin, type CannedResponseInput, type Language } from '@helpline/shared';

type Entry = Omit<CannedResponseInput, 'language'>;

export const DEFAULT_CANNED: Record<Language, Entry[]> = {
  en: [
    { shortcut: 'hello', title: 'Greeting', body: "Hi, I'm here to listen. You don't have to tell me your name. What would you like to talk about?" },
    { shortcut: 'safe', title: 'Are you safe?', body: 'Are you safe right now? If you are in danger, please call 112.' },
    { shortcut: 'notyourfault', title: 'Not your fault', body: "What happened is not your fault. It's good that you wrote to us." },
    { shortcut: 'screenshot', title: 'Keep evidence', body: "Please don't delete the messages. Keep the links and screenshots of the conversation, but don't send us any pictures." },
    { shortcut: 'report', title: 'Report to the hotline', body: 'You can report illegal content to our hotline. Send me the link and I will pass it on for you.' },
    { shortcut: 'bye', title: 'Closing', body: 'Thank you for talking to me. You can write to us again any time.' },
  ],
  bg: [
    { shortcut: 'hello', title: 'Поздрав', body: 'Здравей, тук съм, за да те изслушам. Не е нужно да ми казваш името си. За какво искаш да поговорим?' },
    { shortcut: 'safe', title: 'В безопасност ли си?', body: 'В безопасност ли си в момента? Ако си в опасност, обади се на 112.' },
    { shortcut: 'notyourfault', title: 'Не си виновен/а', body: 'Случилото се не е по твоя вина. Добре е, че ни писа.' },
    { shortcut: 'screenshot', title: 'Запази доказателства', body: 'Моля, не изтривай съобщенията. Запази линковете и екранни снимки на разговора, но не ни изпращай снимки.' },
    { shortcut: 'report', title: 'Сигнал към горещата линия', body: 'Можеш да подадеш сигнал за незаконно съдържание към горещата ни линия. Изпрати ми линка и аз ще го предам.' },
    { shortcut: 'bye', title: 'Край', body: 'Благодаря ти за разговора. Можеш да ни пишеш отново по всяко време.' },
  ],
  'sr-Cyrl': [
    { shortcut: 'hello', title: 'Поздрав', body: 'Здраво, ту сам да те саслушам. Не мораш да ми кажеш своје име. О чему желиш да разговарамо?' },
    { shortcut: 'safe', title: 'Да ли си безбедан/на?', body: 'Да ли си тренутно безбедан/на? Ако си у опасности, позови 192.' },
    { shortcut: 'notyourfault', title: 'Ниси крив/а', body: 'Оно што се десило није твоја кривица. Добро је што си нам писао/ла.' },
    { shortcut: 'screenshot', title: 'Сачувај доказе', body: 'Молим те, немој да бришеш поруке. Сачувај линкове и снимке екрана разговора, али нам не шаљи слике.' },
    { shortcut: 'report', title: 'Пријава', body: 'Незаконит садржај можеш да пријавиш. Пошаљи ми линк и ја ћу га проследити.' },
    { shortcut: 'bye', title: 'Крај', body: 'Хвала ти на разговору. Можеш поново да нам пишеш кад год желиш.' },
  ],
  // Generated from the Cyrillic entries (shared/src/serbian.ts), so both scripts say the same.
  'sr-Latn': [],
};
DEFAULT_CANNED['sr-Latn'] = DEFAULT_CANNED['sr-Cyrl'].map((e) => ({ shortcut: e.shortcut, title: toSerbianLatin(e.title), body: toSerbianLatin(e.body) }));

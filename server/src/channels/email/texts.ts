// The automatic mails of an e-mail inbox, per language (Serbian Latin derived from Cyrillic): the
// acknowledgement of a thread's first mail (its reference and the expected answer time, or the
// out-of-hours text), the kind note that files are not accepted, and the refusal of a mail too large.
import { toSerbianLatin, type Language } from '@helpline/shared';

export type NoticeKind = 'ack' | 'ack_closed' | 'files' | 'too_large';

interface Texts {
  subject: Record<NoticeKind, string>;
  body: Record<NoticeKind, (p: { reference: string; hours: number; maxMb: number }) => string>;
}

const BASE: Record<Exclude<Language, 'sr-Latn'>, Texts> = {
  en: {
    subject: { ack: 'We have your message', ack_closed: 'We have your message', files: 'About the files you sent', too_large: 'Your message was too large' },
    body: {
      ack: (p) => `Thank you for writing to us. A counsellor will answer you, usually within ${p.hours} hours.\n\nYour reference: ${p.reference}`,
      ack_closed: (p) => `Thank you for writing to us. We are closed just now; a counsellor will answer you when we are open again, usually within ${p.hours} hours.\n\nYour reference: ${p.reference}`,
      files: () => 'Thank you for your message. We do not accept pictures, videos or other files, so we did not open the ones you sent. You can write to us in words, and a counsellor will help.',
      too_large: (p) => `Your message was larger than ${p.maxMb} MB, so we could not receive it. Please write to us again without the attached files.`,
    },
  },
  bg: {
    subject: { ack: 'Получихме съобщението Ви', ack_closed: 'Получихме съобщението Ви', files: 'За файловете, които изпратихте', too_large: 'Съобщението Ви беше твърде голямо' },
    body: {
      ack: (p) => `Благодарим Ви, че ни писахте. Консултант ще Ви отговори, обикновено до ${p.hours} часа.\n\nВашият номер: ${p.reference}`,
      ack_closed: (p) => `Благодарим Ви, че ни писахте. В момента не работим; консултант ще Ви отговори, когато отворим отново, обикновено до ${p.hours} часа.\n\nВашият номер: ${p.reference}`,
      files: () => 'Благодарим за съобщението. Не приемаме снимки, видеа и други файлове, затова не отворихме изпратените. Можете да ни пишете с думи и консултант ще Ви помогне.',
      too_large: (p) => `Съобщението Ви беше по-голямо от ${p.maxMb} MB и не можахме да го получим. Моля, пишете ни отново без прикачени файлове.`,
    },
  },
  'sr-Cyrl': {
    subject: { ack: 'Примили смо Вашу поруку', ack_closed: 'Примили смо Вашу поруку', files: 'О датотекама које сте послали', too_large: 'Ваша порука је била превелика' },
    body: {
      ack: (p) => `Хвала што сте нам писали. Саветник ће Вам одговорити, обично у року од ${p.hours} сати.\n\nВаш број: ${p.reference}`,
      ack_closed: (p) => `Хвала што сте нам писали. Тренутно не радимо; саветник ће Вам одговорити када поново почнемо са радом, обично у року од ${p.hours} сати.\n\nВаш број: ${p.reference}`,
      files: () => 'Хвала на поруци. Не примамо слике, видео снимке ни друге датотеке, па нисмо отворили оне које сте послали. Можете нам писати речима и саветник ће Вам помоћи.',
      too_large: (p) => `Ваша порука је била већа од ${p.maxMb} MB, па нисмо могли да је примимо. Молимо Вас, пишите нам поново без приложених датотека.`,
    },
  },
};

export function notice(kind: NoticeKind, language: Language, p: { reference: string; hours: number; maxMb: number }): { subject: string; text: string } {
  const base = BASE[language === 'sr-Latn' ? 'sr-Cyrl' : language];
  const subject = base.subject[kind];
  const text = base.body[kind](p);
  return language === 'sr-Latn' ? { subject: toSerbianLatin(subject), text: toSerbianLatin(text) } : { subject, text };
}

/** The reference a sender is given: short, from the conversation id, readable over the phone. */
export const referenceOf = (conversationId: string) => `E-${conversationId.replace(/-/g, '').slice(0, 8).toUpperCase()}`;

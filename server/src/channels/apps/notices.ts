// What the person is told, kindly and in their language, when they send a file, a picture, a video, a
// sticker or a voice note: it is not accepted, not opened, and words (or a link as text) are.
import { cyrillicToLatin, type Language } from '@helpline/shared';

const SR_CYRL =
  'Хвала ти на поруци. Из безбедносних разлога овде не примамо слике, видео снимке, налепнице, гласовне поруке ни фајлове и нисмо их отворили. Напиши нам речима шта се догодило; линк можеш да пошаљеш као текст.';

export const FILES_NOT_ACCEPTED: Record<Language, string> = {
  en: 'Thank you for your message. To keep everyone safe we do not accept pictures, videos, stickers, voice messages or files here, and we have not opened it. Please tell us in words what happened; you can send a link as text.',
  bg: 'Благодарим ти за съобщението. За да бъдат всички в безопасност, тук не приемаме снимки, видео, стикери, гласови съобщения или файлове и не сме го отворили. Моля, разкажи ни с думи какво се е случило; можеш да изпратиш линк като текст.',
  'sr-Cyrl': SR_CYRL,
  'sr-Latn': cyrillicToLatin(SR_CYRL),
};

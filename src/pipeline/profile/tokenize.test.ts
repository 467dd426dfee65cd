import { describe, expect, it } from 'vitest';
import { tokenize } from './tokenize';

describe('tokenize', () => {
  it('lower-cases letter/digit runs and drops stop words, single characters and pure numbers', () => {
    expect(tokenize('SET OF 3 Cake Tins, Pantry-Design 2x 100')).toEqual(['set', 'cake', 'tins', 'pantry', 'design', '2x']);
    expect(tokenize('The T-Light Holder for the home')).toEqual(['light', 'holder', 'home']);
  });

  it('keeps accented and non-Latin words whole and folds full-width letters', () => {
    expect(tokenize('Café CRÈME brûlée')).toEqual(['café', 'crème', 'brûlée']);
    expect(tokenize('ＵＳＢ кабель')).toEqual(['usb', 'кабель']);
  });

  it('turns CJK runs into character bigrams, next to Latin words', () => {
    expect(tokenize('无线蓝牙耳机 Bluetooth 5.0 headphones')).toEqual(['无线', '线蓝', '蓝牙', '牙耳', '耳机', 'bluetooth', 'headphones']);
    // Japanese katakana with the long-vowel mark, Korean, and Han directly against Latin letters.
    expect(tokenize('コーヒー')).toEqual(['コー', 'ーヒ', 'ヒー']);
    expect(tokenize('무선이어폰')).toEqual(['무선', '선이', '이어', '어폰']);
    expect(tokenize('iPhone手机壳')).toEqual(['iphone', '手机', '机壳']);
    // A lone Han character is a word on its own.
    expect(tokenize('鞋 shoe')).toEqual(['鞋', 'shoe']);
  });
});

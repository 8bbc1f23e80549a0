/** Merging a typed address over the one on file: what the buyer named replaces, the rest stays. */
import { mergeAddress } from '../../src/dialogue/address';
import type { AddressEntity } from '../../src/nlu/types';

const onFile = { recipient: '王小明', phone: '13812345678', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号' };
const typed = (fields: Partial<AddressEntity>): AddressEntity => ({ kind: 'address', text: 'x', span: { start: 0, end: 1 }, ...fields });

test('a new street in the same city keeps the province on file', () => {
  expect(mergeAddress(typed({ city: '杭州市', district: '余杭区', detail: '文一西路1500号' }), onFile)).toEqual({
    ...onFile,
    district: '余杭区',
    detail: '文一西路1500号',
  });
});

test('another city without its province leaves the province empty rather than guessing it', () => {
  expect(mergeAddress(typed({ city: '苏州市', district: '姑苏区', detail: '人民路1号' }), onFile)).toMatchObject({ province: '', city: '苏州市' });
});

test('a whole new address replaces every place field; a new district keeps province and city', () => {
  expect(mergeAddress(typed({ province: '江苏省', city: '南京市', district: '鼓楼区', detail: '汉中路88号' }), onFile)).toEqual({
    ...onFile,
    province: '江苏省',
    city: '南京市',
    district: '鼓楼区',
    detail: '汉中路88号',
  });
  expect(mergeAddress(typed({ district: '滨江区', detail: '江南大道588号' }), onFile)).toEqual({
    ...onFile,
    district: '滨江区',
    detail: '江南大道588号',
  });
});

test('a recipient and phone alone keep the address', () => {
  expect(mergeAddress(typed({ recipient: '陈丽', phone: '13766668888' }), onFile)).toEqual({ ...onFile, recipient: '陈丽', phone: '13766668888' });
});
